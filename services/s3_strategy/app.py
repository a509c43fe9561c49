"""s3_strategy: regions' smart-specialisation priorities, the synergies between them, and joint calls started
from the topics they share."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shared.clock import Clock
from shared.service import ServiceDefinition, build_app

from . import handlers
from .errors import ROUTE_PROBLEMS
from .models import Base, messaging
from .settings import Settings


def _routers() -> list[APIRouter]:
    from .api.routes import router

    return [router]


SERVICE = ServiceDefinition(
    name="s3_strategy",
    title="S3 strategy",
    description="Regions' S3 priorities (Eye@RIS3 shape), the synergy matrix between regions, candidate joint "
    "topics, complementary domains, and call drafts started from a topic.",
    metadata=Base.metadata,
    tables=messaging,
    routers=_routers,
    subscriptions=handlers.subscriptions,
    settings_class=Settings,
    problems=ROUTE_PROBLEMS,
)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(SERVICE, settings or Settings(), clock=clock)
