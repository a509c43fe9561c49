"""Anyone reads what a call requires before a proposal can be submitted (to build a form from it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..access import call_of
from ..call_cache import CallCache
from ..domain.requirements import SubmissionRequirements


async def read_requirements(session: AsyncSession, calls: CallCache, *, call_id: str) -> SubmissionRequirements:
    return (await call_of(session, calls, call_id)).requirements(call_id)
