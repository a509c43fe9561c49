"""Anyone reads the published results of a call: the funded proposals by rank with each region's grant, the
others counted, each region's budget and allocation; nothing before publication."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..views import ResultsState, published_results


async def read_published_results(session: AsyncSession, *, call_id: str) -> ResultsState:
    return await published_results(session, call_id)
