"""A call's stage closes: every case awaiting that deadline has its checks opened, a batch of cases at a time
(a few statements per batch: the checks, the feed, the events of all its cases together)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallSnapshot
from shared.service import Runtime

from ..cases import open_checks
from ..domain.stages import deadline_of
from ..repository import cases_awaiting_deadline

BATCH = 200  # cases opened together: bounds the rows (about 40 checks a case) held and written at once


async def open_checks_of_call(session: AsyncSession, runtime: Runtime, call: CallSnapshot) -> None:
    config = call.configuration
    now = runtime.clock.now()
    if config is None or now < config.stages[0].deadline:
        return
    cases = [
        case
        for case in await cases_awaiting_deadline(session, str(call.call_id))
        if now >= deadline_of(config, int(case.submission.get("stage", 1)))  # pre-proposals at stage 1's close
    ]
    for start in range(0, len(cases), BATCH):
        await open_checks(session, runtime, cases[start : start + BATCH], config)
