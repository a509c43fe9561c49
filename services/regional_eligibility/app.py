"""regional_eligibility: every region checks its own partners."""

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
    from .api.routes import router

    return [router, audit]


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.deliver_webhooks import deliver_webhooks

    return [lambda stop: deliver_webhooks(runtime, stop)]


SERVICE = ServiceDefinition(
    name="regional_eligibility",
    title="regional eligibility",
    description="Each region checks the eligibility of its own partners; one consolidated outcome per proposal.",
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
