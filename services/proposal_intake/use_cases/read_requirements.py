"""Anyone reads what a call requires before a proposal can be submitted (to build a form from it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..access import call_of
from ..domain.requirements import SubmissionRequirements, requirements_of


async def read_requirements(session: AsyncSession, *, call_id: str) -> SubmissionRequirements:
    _, config = await call_of(session, call_id)
    return requirements_of(call_id, config)
