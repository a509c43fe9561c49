"""project_monitoring: from the funding decision to the final report — grants per region, contracting per
partner, joint reporting and the monitoring of the funded projects."""

from __future__ import annotations

from shared.service import BackgroundJob, Runtime, app_factory, define_service
from shared.service.jobs import every


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.follow_clock import follow_clock_once

    interval_s = getattr(runtime.settings, "clock_interval_s", 1.0)
    return [every(interval_s, runtime, follow_clock_once, doing="following the clock")]


SERVICE = define_service(
    __package__,
    title="project monitoring",
    description="Funded projects after the results: each region contracts its own partners; one joint report "
    "per period, each region seeing its own partners' finances.",
    api=("routes", "audit"),
    background=_background,
)


create_app = app_factory(SERVICE)
