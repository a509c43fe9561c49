"""What the results workbook holds (agency): the consolidated results and, for every proposal, each evaluator's
submitted score and comment per criterion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ..repository import evaluators_of_call, submitted_assessments_of_call
from ..views import ResultsState, results_state


@dataclass(frozen=True)
class Comment:
    proposal_id: str
    evaluator: str  # the evaluator's name
    criterion_key: str
    score: Decimal | None
    justification: str


@dataclass(frozen=True)
class ResultsWorkbook:
    state: ResultsState
    comments: list[Comment]


async def results_workbook(session: AsyncSession, call_id: str) -> ResultsWorkbook:
    state = await results_state(session, call_id)
    names = {e.id: e.name for e in await evaluators_of_call(session, call_id)}
    criteria = [criterion.key for criterion in state.config.evaluation.criteria]
    comments = [
        Comment(
            assessment.proposal_id,
            names.get(assessment.evaluator_id, assessment.evaluator_id),
            key,
            Decimal(assessment.scores[key]) if assessment.scores.get(key) is not None else None,
            assessment.justifications.get(key, ""),
        )
        for assessment in await submitted_assessments_of_call(session, call_id)
        for key in criteria
    ]
    return ResultsWorkbook(state, comments)
