"""proposal_intake: consortia submit proposals; receipts prove what they sent."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shared.clock import Clock
from shared.service import BackgroundJob, Runtime, ServiceDefinition, build_app

from . import handlers
from .errors import ROUTE_PROBLEMS
from .models import Base, messaging
from .settings import Settings


def _routers() -> list[APIRouter]:
    from .api.audit import router as audit
    from .api.dashboard import router as dashboard
    from .api.documents import router as documents
    from .api.refusals import router as refusals
    from .api.routes import router

    return [router, documents, refusals, audit, dashboard]


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .jobs import collect_orphans_forever

    return [lambda stop: collect_orphans_forever(runtime, stop)]


SERVICE = ServiceDefinition(
    name="proposal_intake",
    title="proposal intake",
    description="Consortia submit proposals to open calls before the deadline and get a receipt.",
    metadata=Base.metadata,
    tables=messaging,
    routers=_routers,
    subscriptions=handlers.subscriptions,
    settings_class=Settings,
    background=_background,
    problems=ROUTE_PROBLEMS,
)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(SERVICE, settings or Settings(), clock=clock)
