"""Events between services: bus interface, transactional outbox, idempotent inbox."""
