"""A call's stage closes: every case awaiting that deadline has its checks opened."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallSnapshot
from shared.service import Runtime

from ..cases import open_checks
from ..domain.stages import deadline_of
from ..repository import cases_awaiting_deadline


async def open_checks_of_call(session: AsyncSession, runtime: Runtime, call: CallSnapshot) -> None:
    config = call.configuration
    now = runtime.clock.now()
    if config is None or now < config.stages[0].deadline:
        return
    for case in await cases_awaiting_deadline(session, str(call.call_id)):
        if now >= deadline_of(config, int(case.submission.get("stage", 1))):  # pre-proposals at stage 1's close
            await open_checks(session, runtime, case, config)
