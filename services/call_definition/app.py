"""call_definition: the contract every other service works from."""

from __future__ import annotations

from shared.service import BackgroundJob, Runtime, app_factory, define_service
from shared.service.jobs import every


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.follow_clock import follow_clock_once

    return [every(1.0, runtime, follow_clock_once, doing="following the clock")]


SERVICE = define_service(
    __package__,
    title="call definition",
    description="Agencies define joint calls: timeline, participating regions, rules; publish and amend them.",
    api=("routes",),
    background=_background,
)


create_app = app_factory(SERVICE)
