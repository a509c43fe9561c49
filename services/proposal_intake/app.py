"""proposal_intake: consortia submit proposals; receipts prove what they sent."""

from __future__ import annotations

from fastapi import APIRouter

from shared.service import BackgroundJob, Runtime, app_factory, define_service


def _routers() -> list[APIRouter]:
    from .api.audit import router as audit
    from .api.dashboard import router as dashboard
    from .api.documents import router as documents
    from .api.refusals import router as refusals
    from .api.routes import router

    return [router, documents, refusals, audit, dashboard]


def _background(runtime: Runtime) -> list[BackgroundJob]:
    from .jobs import collect_orphans_forever

    return [lambda stop: collect_orphans_forever(runtime, stop)]


SERVICE = define_service(
    __package__,
    title="proposal intake",
    description="Consortia submit proposals to open calls before the deadline and get a receipt.",
    routers=_routers,
    background=_background,
)


create_app = app_factory(SERVICE)
