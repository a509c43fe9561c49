"""joint_evaluation: one panel, one ranking, each region funding its own partners."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shared.clock import Clock
from shared.service import ServiceDefinition, build_app

from . import handlers
from .models import Base, messaging
from .settings import Settings


def _routers() -> list[APIRouter]:
    from .api.routes import router

    return [router]


SERVICE = ServiceDefinition(
    name="joint_evaluation",
    title="joint evaluation",
    description="Eligible proposals await evaluation; experts score, one ranking list, the virtual common pot.",
    metadata=Base.metadata,
    tables=messaging,
    routers=_routers,
    subscriptions=handlers.subscriptions,
    settings_class=Settings,
)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(SERVICE, settings or Settings(), clock=clock)
