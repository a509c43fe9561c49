"""The reserve proposals funded from money given back become projects (repeats change nothing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ReserveFunded
from shared.service import Runtime

from ..funding import fund_project, funded_call_config


async def fund_from_reserve(session: AsyncSession, runtime: Runtime, event: ReserveFunded) -> None:
    config = await funded_call_config(session, str(event.call_id))
    for proposal in event.proposals:
        funded_by = f"reserve offer {event.offer_round}"
        await fund_project(
            session, runtime, config, str(proposal.proposal_id), proposal.rank, proposal.grants, funded_by
        )
