"""call_definition: the contract every other service works from."""

from __future__ import annotations

from fastapi import APIRouter

from shared.service import BackgroundJob, Runtime, app_factory, define_service
from shared.service.jobs import every


def _routers() -> list[APIRouter]:
    from .api.routes import router

    return [router]


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.follow_clock import follow_clock_once

    return [every(1.0, runtime, follow_clock_once, doing="following the clock")]


SERVICE = define_service(
    __package__,
    title="call definition",
    description="Agencies define joint calls: timeline, participating regions, rules; publish and amend them.",
    routers=_routers,
    background=_background,
)


create_app = app_factory(SERVICE)
