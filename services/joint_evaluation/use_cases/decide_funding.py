"""An agency decides the funding by the virtual common pot over the ranking; announces funding.decided."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config
from ..domain.funding import FundingTrigger
from ..funding import decide, refuse_unless_open_for_funding
from ..repository import progress_for_update
from ..views import FundingState, funding_state


async def run_funding(session: AsyncSession, runtime: Runtime, agency: Principal, call_id: str) -> FundingState:
    """The funding decisions as they stand after the run."""
    config = await call_config(session, call_id)
    progress = await progress_for_update(session, call_id, runtime.clock.now())
    refuse_unless_open_for_funding(progress)
    await decide(session, runtime, config, progress, trigger=FundingTrigger.RUN, actor=agency.actor)
    return await funding_state(session, call_id)
