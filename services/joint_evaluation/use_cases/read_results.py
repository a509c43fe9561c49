"""An agency reads the consolidated results: one list, grants per region, totals per region and in the reporting
currency."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..views import ResultsState, results_state


async def read_results(session: AsyncSession, *, call_id: str) -> ResultsState:
    return await results_state(session, call_id)
