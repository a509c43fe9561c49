"""regional_eligibility: every region checks its own partners."""

from __future__ import annotations

from shared.service import BackgroundJob, Runtime, app_factory, define_service


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .use_cases.deliver_webhooks import deliver_webhooks

    return [lambda stop: deliver_webhooks(runtime, stop)]


SERVICE = define_service(
    __package__,
    title="regional eligibility",
    description="Each region checks the eligibility of its own partners; one consolidated outcome per proposal.",
    api=("routes", "audit"),
    background=_background,
)


create_app = app_factory(SERVICE)
