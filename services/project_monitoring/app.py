"""project_monitoring: from the funding decision to the final report — grants per region, contracting per
partner, joint reporting and the monitoring of the funded projects."""

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
    from .api.audit import router as audit
    from .api.routes import router

    return [router, audit]


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.follow_clock import follow_clock_once

    interval_s = getattr(runtime.settings, "clock_interval_s", 1.0)
    return [every(interval_s, runtime, follow_clock_once, doing="following the clock")]


SERVICE = ServiceDefinition(
    name="project_monitoring",
    title="project monitoring",
    description="Funded projects after the results: each region contracts its own partners; one joint report "
    "per period, each region seeing its own partners' finances.",
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
