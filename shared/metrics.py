"""Prometheus metrics of every service: HTTP latency, outbox backlog and age, handler outcomes,
consumer lag, dead letters. Names and labels are what deploy/base/prometheus-rules.yaml alerts on. Web-framework
free (workers and use cases count here); the HTTP middleware and the /metrics endpoint are shared.http.metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_DURATION = Histogram(
    "jointcall_http_request_duration_seconds",
    "HTTP request latency by route and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("jointcall_outbox_backlog", "Events committed but not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "jointcall_outbox_oldest_age_seconds", "Age of the oldest event waiting in the outbox", ["service"]
)
MESSAGES_HANDLED = Counter(
    "jointcall_messages_handled_total", "Deliveries by outcome (ack, retry, park)", ["service", "queue", "outcome"]
)
HANDLER_FAILURES = Counter(
    "jointcall_handler_failures_total", "Deliveries whose handler failed", ["service", "queue", "event_type"]
)
CONSUMER_LAG = Histogram(
    "jointcall_consumer_lag_seconds",
    "Time from an event's creation to its handling",
    ["service", "queue"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800),
)
DEAD_LETTERS = Gauge("jointcall_dead_letters", "Messages parked in a dead-letter queue", ["service", "queue"])
WEBHOOK_ATTEMPTS = Counter(
    "jointcall_webhook_attempts_total", "Webhook delivery attempts by outcome class", ["service", "outcome"]
)
WEBHOOK_SUSPENSIONS = Counter(
    "jointcall_webhook_suspensions_total", "Webhook subscriptions suspended by the circuit", ["service"]
)
WEBHOOK_SUSPENDED = Gauge(
    "jointcall_webhook_suspended_subscriptions",
    "Webhook subscriptions suspended until their region resumes them",
    ["service"],
)
WEBHOOKS_IN_FLIGHT = Gauge("jointcall_webhooks_in_flight", "Webhook deliveries being attempted now", ["service"])
PARKED = Counter(
    "jointcall_parked_messages_total",
    "Messages parked (dead-lettered) by event type, counted when parked: a parked proposal.submitted is a "
    "receipted submission that did not reach its consumer",
    ["service", "queue", "event_type"],
)


def count_parked(queue: str, event_type: str) -> None:
    """One message parked on `queue` (named without the bus's prefix, as every metric labels it)."""
    PARKED.labels(service_of(queue), queue, event_type).inc()


def service_of(queue: str) -> str:
    """Queues are named <service>.<concern> (the bus may add a prefix in front)."""
    parts = queue.split(".")
    return parts[-2] if len(parts) >= 2 else queue
