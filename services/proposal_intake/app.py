"""proposal_intake: consortia submit proposals; receipts prove what they sent."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shared.clock import Clock
from shared.service import ServiceDefinition, build_app

from . import handlers
from .models import Base, messaging
from .settings import Settings


def _routers() -> list[APIRouter]:
    from .api.refusals import router as refusals
    from .api.routes import router

    return [router, refusals]


SERVICE = ServiceDefinition(
    name="proposal_intake",
    title="proposal intake",
    description="Consortia submit proposals to open calls before the deadline and get a receipt.",
    metadata=Base.metadata,
    tables=messaging,
    routers=_routers,
    subscriptions=handlers.subscriptions,
    settings_class=Settings,
)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(SERVICE, settings or Settings(), clock=clock)
