"""An evaluator reads its own assessment of an assigned proposal."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal

from ..access import proposal_for_evaluator
from ..models import Assessment
from ..repository import get_assessment


async def read_assessment(session: AsyncSession, *, expert: Principal, proposal_id: str) -> Assessment:
    _, evaluator, _ = await proposal_for_evaluator(session, expert, proposal_id)
    assessment = await get_assessment(session, proposal_id, evaluator.id)
    if assessment is None:
        raise NotFound(f"No assessment of {proposal_id} by {expert.label} yet.")
    return assessment
