"""An agency assigns the experts to the eligible proposals; again later to fill open places, never moving a
current pair."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config, refuse_once_completed
from ..assignment import AssignmentReport, rebalance
from ..repository import (
    progress_for_update,
)


async def assign_evaluators(
    session: AsyncSession, runtime: Runtime, agency: Principal, call_id: str
) -> AssignmentReport:
    config = await call_config(session, call_id)
    progress = await progress_for_update(session, call_id, runtime.clock.now())
    refuse_once_completed(progress)
    return await rebalance(session, runtime, config, progress, actor=agency.actor, reason="assignment run")
