"""proposal_intake: consortia submit proposals; receipts prove what they sent."""

from __future__ import annotations

from shared.service import BackgroundJob, Runtime, app_factory, define_service


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .jobs import collect_orphans_forever

    return [lambda stop: collect_orphans_forever(runtime, stop)]


SERVICE = define_service(
    __package__,
    title="proposal intake",
    description="Consortia submit proposals to open calls before the deadline and get a receipt.",
    api=("routes", "documents", "refusals", "audit", "dashboard"),
    background=_background,
)


create_app = app_factory(SERVICE)
