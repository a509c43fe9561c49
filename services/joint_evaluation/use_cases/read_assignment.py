"""An agency reads who evaluates which proposal of a call, with the places that could not be filled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, key_after, window

from ..access import call_config
from ..models import EvaluationEntry
from ..repository import entries_of_call, get_progress, pairs_of_proposals


@dataclass(frozen=True)
class AssignmentView:
    assigned_at: datetime | None
    entries: Window[EvaluationEntry]  # the page's proposals (the presenter shows the evaluable ones)
    evaluators: dict[str, list[str]]  # proposal id -> evaluator ids
    shortfalls: dict[str, str]  # proposal id -> why a place is open
    needed: int  # evaluators per proposal


async def read_assignment(session: AsyncSession, *, call_id: str, cursor: str | None, limit: int) -> AssignmentView:
    config = await call_config(session, call_id)
    progress = await get_progress(session, call_id)
    shortfalls = {s["proposal_id"]: s["reason"] for s in progress.shortfalls} if progress else {}
    entries = await entries_of_call(session, call_id, after_id=key_after(cursor), limit=limit)
    evaluators: dict[str, list[str]] = {}
    for pair in await pairs_of_proposals(session, [e.proposal_id for e in entries]):
        evaluators.setdefault(pair.proposal_id, []).append(pair.evaluator_id)
    return AssignmentView(
        assigned_at=progress.assigned_at if progress else None,
        entries=window(entries, limit, lambda entry: entry.proposal_id),
        evaluators=evaluators,
        shortfalls=shortfalls,
        needed=config.evaluation.evaluators_per_proposal,
    )
