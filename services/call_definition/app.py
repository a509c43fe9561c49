"""call_definition: the contract every other service works from."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shared.clock import Clock
from shared.service import BackgroundJob, Runtime, ServiceDefinition, build_app
from shared.service.jobs import every

from . import handlers
from .errors import ROUTE_PROBLEMS
from .models import Base, messaging
from .settings import Settings


def _routers() -> list[APIRouter]:
    from .api.routes import router

    return [router]


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.follow_clock import follow_clock_once

    return [every(1.0, runtime, follow_clock_once, doing="following the clock")]


SERVICE = ServiceDefinition(
    name="call_definition",
    title="call definition",
    description="Agencies define joint calls: timeline, participating regions, rules; publish and amend them.",
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
