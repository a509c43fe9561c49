"""A service declared once (ServiceDefinition), and what it holds while it runs (Runtime): the same
definition serves the full stack (one api and one worker process per service) and the embedded default."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.cache import Caches
from shared.clock import Clock, SystemClock
from shared.db import create_engine, create_session_factory
from shared.errors import ServiceError
from shared.messaging.bus import Subscription
from shared.messaging.tables import MessagingTables
from shared.settings import ServiceSettings

BackgroundJob = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class Runtime:
    """What a running service holds: its settings, database, clock, and the caches of what it has read
    (shared.cache: owned here, reached from its sessions)."""

    name: str
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    tables: MessagingTables
    caches: Caches = field(default_factory=Caches)


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
    # Per operation ("POST /calls/{call_id}/publish"), the problem types it may answer (services/<name>/errors.py):
    # they become the operation's documented responses.
    problems: Mapping[str, Sequence[type[ServiceError]]] = field(default_factory=dict)

    @property
    def path_prefix(self) -> str:
        return "/" + self.name.replace("_", "-")

    @property
    def migrations(self) -> str:
        return f"services.{self.name}:migrations"


def define_service(
    package: str,
    *,
    title: str,
    description: str,
    api: Sequence[str],
    background: Callable[[Runtime], list[BackgroundJob]] = lambda runtime: [],
    tags: Sequence[dict[str, str]] = (),
) -> ServiceDefinition:
    """The definition of the service in `package` (`services.proposal_intake`), named by its last part, from
    the modules every service has: `models` (its `Base`'s metadata and its `messaging` tables), `handlers`
    (`subscriptions`), `settings` (`Settings`) and `errors` (`ROUTE_PROBLEMS`); what is its own comes as
    arguments, `api` naming the modules of its `api/` package whose `router`s it serves, in that order (imported
    when the app is built, not by a worker)."""
    models, handlers, settings, errors = (
        importlib.import_module(f"{package}.{module}") for module in ("models", "handlers", "settings", "errors")
    )

    def routers() -> list[APIRouter]:
        return [importlib.import_module(f"{package}.api.{module}").router for module in api]

    return ServiceDefinition(
        name=package.rpartition(".")[2],
        title=title,
        description=description,
        metadata=models.Base.metadata,
        tables=models.messaging,
        routers=routers,
        subscriptions=handlers.subscriptions,
        settings_class=settings.Settings,
        tags=list(tags),
        background=background,
        problems=errors.ROUTE_PROBLEMS,
    )


def open_runtime(definition: ServiceDefinition, settings: ServiceSettings, clock: Clock | None = None) -> Runtime:
    engine = create_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    caches = Caches()
    return Runtime(
        name=definition.name,
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine, info=caches.session_info()),
        clock=clock or SystemClock(),
        tables=definition.tables,
        caches=caches,
    )
