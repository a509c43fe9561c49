"""The funded proposals of the published results become projects (repeats change nothing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ResultsPublished
from shared.service import Runtime

from ..funding import fund_project, funded_call_config


async def fund_from_results(session: AsyncSession, runtime: Runtime, event: ResultsPublished) -> None:
    config = await funded_call_config(session, str(event.call_id))
    for line in event.results:
        if line.status == "funded":
            await fund_project(session, runtime, config, str(line.proposal_id), line.rank, line.grants, "results")
