"""What every service is made of, and how it is assembled into an API app and a worker: one module each
(definition, app, session, health, worker, migrations, subscriptions); their public names are here."""

from .app import app_factory, build_app
from .definition import BackgroundJob, Runtime, ServiceDefinition, define_service, open_runtime
from .health import broker_reachable, health_router
from .migrations import alembic_config, migrate, run_migrations_online
from .session import DbSession, RuntimeDep, get_runtime
from .subscriptions import applying, call_copy_subscription, idempotent_subscription
from .worker import Worker

__all__ = [
    "BackgroundJob",
    "DbSession",
    "Runtime",
    "RuntimeDep",
    "ServiceDefinition",
    "Worker",
    "alembic_config",
    "app_factory",
    "applying",
    "broker_reachable",
    "build_app",
    "call_copy_subscription",
    "define_service",
    "get_runtime",
    "health_router",
    "idempotent_subscription",
    "migrate",
    "open_runtime",
    "run_migrations_online",
]
