"""What every service is made of, and how it is assembled into an API app and a worker.

A service declares itself once (ServiceDefinition); the same definition serves the full stack
(one api and one worker process per service) and the embedded default (all four in one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from alembic import command
from alembic.config import Config
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.clock import Clock, SystemClock
from shared.db import create_engine, create_session_factory
from shared.events import CALL_EVENTS, CallEvent, Envelope, parse_data
from shared.http.body_limit import BodyLimitMiddleware
from shared.http.correlation import CorrelationIdMiddleware
from shared.http.exact_json import ExactJsonRoute
from shared.http.problems import install_problem_handlers
from shared.messaging.bus import Bus, Subscription
from shared.messaging.inbox import EventHandler, idempotent_handler
from shared.messaging.outbox import OutboxRelay, outbox_backlog
from shared.messaging.tables import MessagingTables
from shared.metrics import DEAD_LETTERS, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, HttpMetricsMiddleware, metrics_endpoint
from shared.readmodel import upsert_call_copy
from shared.settings import ServiceSettings

logger = logging.getLogger(__name__)


BackgroundJob = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class Runtime:
    """What a running service holds: its settings, database, clock."""

    name: str
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    tables: MessagingTables


@dataclass(frozen=True)
class ServiceDefinition:
    name: str  # package and database name: "proposal_intake"
    title: str
    description: str
    metadata: MetaData
    tables: MessagingTables
    routers: Callable[[], list[APIRouter]]
    subscriptions: Callable[[Runtime], list[Subscription]]
    settings_class: type[ServiceSettings]
    tags: list[dict[str, str]] = field(default_factory=list)
    # Periodic jobs the worker runs beside the relay (e.g. following the clock).
    background: Callable[[Runtime], list[BackgroundJob]] = lambda runtime: []

    @property
    def path_prefix(self) -> str:
        return "/" + self.name.replace("_", "-")

    @property
    def migrations(self) -> str:
        return f"services.{self.name}:migrations"


def open_runtime(definition: ServiceDefinition, settings: ServiceSettings, clock: Clock | None = None) -> Runtime:
    engine = create_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    return Runtime(
        name=definition.name,
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=clock or SystemClock(),
        tables=definition.tables,
    )


# --- the API app ---------------------------------------------------------------------------------


def build_app(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    *,
    clock: Clock | None = None,
    runtime: Runtime | None = None,
    broker_check: bool = True,
) -> FastAPI:
    """The service's FastAPI app. With `runtime` given (embedded mode), the caller owns its lifetime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        app.state.runtime = runtime or open_runtime(definition, settings, clock)
        try:
            yield
        finally:
            if owned:
                await app.state.runtime.engine.dispose()

    app = FastAPI(
        title=f"jointcall {definition.title}",
        description=definition.description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=definition.tags or None,
        responses={
            401: {"description": "No or invalid bearer token", "content": {"application/problem+json": {}}},
            403: {
                "description": "The token's role may not do this",
                "content": {"application/problem+json": {}},
            },
            422: {
                "description": "Invalid input, with the field at fault",
                "content": {"application/problem+json": {}},
            },
        },
    )
    app.state.settings = settings
    app.state.definition = definition
    if runtime is not None:
        app.state.runtime = runtime  # usable before (or without) the lifespan
    app.state.broker_check = broker_check and settings.rabbitmq_url is not None
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(HttpMetricsMiddleware, service=definition.name)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    install_problem_handlers(app)
    app.include_router(health_router)
    for router in definition.routers():
        app.include_router(router)
    return app


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _runtime_dependency(request: Request) -> Runtime:
    """get_runtime as a dependency: `async def`, since FastAPI runs a plain `def` dependency in its thread
    pool, a thread hand-off on every request for what is an attribute read."""
    return get_runtime(request)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the endpoint returns without error.

    scope="function" makes the commit happen before the response is sent: a 2xx means durable.
    """
    async with get_runtime(request).sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


DbSession = Annotated[AsyncSession, Depends(_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(_runtime_dependency)]

health_router = APIRouter(tags=["health"], route_class=ExactJsonRoute)


@health_router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health_router.get("/readyz", summary="The database can be reached (the broker's state is reported, not required)")
async def readyz(request: Request) -> JSONResponse:
    """Ready while the database answers: every request is served from it, and what must go out waits in the
    outbox. The broker is only reported: an api taken out of service when RabbitMQ blips would refuse the
    submissions it could take (its worker is what needs the broker, and says so in its metrics and logs)."""
    runtime = get_runtime(request)
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = checks["database"] == "ok"
    if request.app.state.broker_check:
        reachable = await broker_reachable(runtime.settings.rabbitmq_url or "")
        checks["broker"] = "ok" if reachable else "unreachable (not needed to serve: events wait in the outbox)"
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


async def broker_reachable(url: str, timeout_s: float = 2.0) -> bool:
    parts = urlsplit(url)
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname or "localhost", parts.port or 5672), timeout=timeout_s
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


# --- the worker ------------------------------------------------------------------------------------


class Worker:
    """Consumers and outbox relay of one service, on the given bus."""

    def __init__(self, definition: ServiceDefinition, runtime: Runtime, bus: Bus) -> None:
        self.definition = definition
        self.runtime = runtime
        self.bus = bus
        self.relay = OutboxRelay(
            runtime.sessions,
            runtime.tables,
            bus,
            runtime.clock,
            batch_size=runtime.settings.relay_batch_size,
            poll_interval_s=runtime.settings.relay_poll_interval_s,
        )
        self.subscriptions = definition.subscriptions(runtime)
        for subscription in self.subscriptions:
            bus.subscribe(subscription)

    async def run(self, stop: asyncio.Event) -> None:
        """The outbox relay, the gauges and the service's background jobs, until `stop` is set."""
        background = [job(stop) for job in self.definition.background(self.runtime)]
        await asyncio.gather(self.relay.run(stop), self.observe(stop), *background)

    async def observe(self, stop: asyncio.Event, interval_s: float = 10.0) -> None:
        """Refresh the outbox and dead-letter gauges (what the alerts watch)."""
        name = self.definition.name
        while not stop.is_set():
            try:
                async with self.runtime.sessions() as session:
                    backlog, oldest = await outbox_backlog(session, self.runtime.tables)
                OUTBOX_BACKLOG.labels(name).set(backlog)
                age = (self.runtime.clock.now() - oldest).total_seconds() if oldest else 0.0
                OUTBOX_OLDEST_AGE.labels(name).set(age)
                for subscription in self.subscriptions:
                    parked = await self.bus.dead_letter_count(subscription)
                    DEAD_LETTERS.labels(name, subscription.queue).set(parked)
            except Exception:
                logger.warning("could not refresh the gauges", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)


# --- migrations --------------------------------------------------------------------------------------


def alembic_config(definition: ServiceDefinition, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", definition.migrations)
    config.set_main_option("version_table", f"alembic_version_{definition.name}")
    config.attributes["database_url"] = database_url
    return config


def migrate(definition: ServiceDefinition, database_url: str, revision: str = "head") -> None:
    """Bring the service's database to `revision` (synchronous: run before the event loop starts)."""
    command.upgrade(alembic_config(definition, database_url), revision)


def run_migrations_online(context: Any, metadata: MetaData) -> None:
    """The body of every service's migrations/env.py: async engine, own version table."""
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    version_table = config.get_main_option("version_table")

    def do_run(connection: Any) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())


# --- subscriptions -------------------------------------------------------------------------------


def idempotent_subscription(
    runtime: Runtime,
    queue: str,
    handlers: Mapping[str, EventHandler],
    routing_keys: tuple[str, ...] | None = None,
) -> Subscription:
    """A queue of this service whose messages are each applied once (inbox keyed by the queue)."""
    keys = routing_keys or tuple(handlers)
    handler = idempotent_handler(queue, handlers, runtime.sessions, runtime.tables, runtime.clock)
    return Subscription(queue=queue, routing_keys=keys, handler=handler)


def call_copy_subscription(runtime: Runtime, call_copies: Table) -> Subscription:
    """Keep the service's local copy of the calls up to date from call.* events."""

    async def on_call_event(session: AsyncSession, envelope: Envelope) -> None:
        await upsert_call_copy(session, call_copies, parse_data(envelope, CallEvent).call, runtime.clock)

    handlers = {model.event_type.rsplit(".", 1)[0]: on_call_event for model in CALL_EVENTS}
    return idempotent_subscription(runtime, f"{runtime.name}.calls", handlers, routing_keys=("call.*",))
