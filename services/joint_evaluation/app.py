"""joint_evaluation: one panel, one ranking, each region funding its own partners."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from shared.clock import Clock
from shared.service import ServiceDefinition, build_app

from . import handlers
from .errors import ROUTE_PROBLEMS
from .models import Base, messaging
from .settings import Settings


def _routers() -> list[APIRouter]:
    from .api import audit, decisions, documents, experts, reserve, routes, scoring, shortlist

    return [
        routes.router,
        experts.router,
        scoring.router,
        decisions.router,
        reserve.router,
        shortlist.router,
        documents.router,
        audit.router,
    ]


SERVICE = ServiceDefinition(
    name="joint_evaluation",
    title="joint evaluation",
    description="One panel of independent experts scores every eligible proposal; one ranking list; each region "
    "funds its own partners from its own budget (the virtual common pot); one consolidated result.",
    metadata=Base.metadata,
    tables=messaging,
    routers=_routers,
    subscriptions=handlers.subscriptions,
    settings_class=Settings,
    tags=[
        {"name": "evaluation", "description": "Proposals in evaluation, as agencies and evaluators see them"},
        {"name": "experts", "description": "Evaluators, conflicts of interest, assignment"},
        {"name": "scoring", "description": "Individual assessments and the consensus"},
        {"name": "ranking and funding", "description": "Ranking, funding decisions, confirmations, results"},
        {"name": "shortlist", "description": "Two-stage calls: stage-1 fit, the shortlist under the regions' caps"},
    ],
    problems=ROUTE_PROBLEMS,
)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(SERVICE, settings or Settings(), clock=clock)
