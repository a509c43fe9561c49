"""joint_evaluation: one panel, one ranking, each region funding its own partners."""

from __future__ import annotations

from shared.service import app_factory, define_service

SERVICE = define_service(
    __package__,
    title="joint evaluation",
    description="One panel of independent experts scores every eligible proposal; one ranking list; each region "
    "funds its own partners from its own budget (the virtual common pot); one consolidated result.",
    api=("routes", "experts", "scoring", "decisions", "reserve", "shortlist", "documents", "audit"),
    tags=[
        {"name": "evaluation", "description": "Proposals in evaluation, as agencies and evaluators see them"},
        {"name": "experts", "description": "Evaluators, conflicts of interest, assignment"},
        {"name": "scoring", "description": "Individual assessments and the consensus"},
        {"name": "ranking and funding", "description": "Ranking, funding decisions, confirmations, results"},
        {"name": "shortlist", "description": "Two-stage calls: stage-1 fit, the shortlist under the regions' caps"},
    ],
)


create_app = app_factory(SERVICE)
