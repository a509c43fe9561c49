"""The worker's clock: record openings and closings when their instant passes, and announce them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallClosed, CallEvent, CallOpened, CallStatusChanged
from shared.service import Runtime

from ..calls import configuration_of
from ..changes import record_change
from ..domain.lifecycle import CallStatus, clock_status, next_clock_change
from ..repository import calls_behind_the_clock

EVENT_FOR: dict[CallStatus, type[CallEvent]] = {CallStatus.OPEN: CallOpened, CallStatus.CLOSED: CallClosed}
# Between two stages the clock gives "published" again: audited as a stage closing, not as a publication.
ACTION_FOR = {(CallStatus.OPEN, CallStatus.PUBLISHED): "call.stage_closed"}


def _announcement(before: CallStatus, target: CallStatus) -> dict[str, Any]:
    """The event of a change by the clock: an opening, the closing, or a stage closing between two stages (a
    status change: consumers check the pre-proposals then)."""
    if (before, target) in ACTION_FOR:
        return {"event": CallStatusChanged, "event_fields": {"previous_status": before.value}}
    return {"event": EVENT_FOR.get(target)}


async def follow_clock_once(session: AsyncSession, runtime: Runtime) -> int:
    """Record the status the clock gives each call that is due (audited; an opening or the closing announced);
    how many changed. A call whose status stands (its due instant was a stage's opening it had already seen)
    is only told when it is due next."""
    now = runtime.clock.now()
    changed = 0
    for call in await calls_behind_the_clock(session, now):
        config = configuration_of(call)
        target = clock_status(config, now)
        if target.value == call.status:
            call.clock_due_at = next_clock_change(target, config, now)
            continue
        before = call.status
        call.status = target.value
        await record_change(
            session,
            runtime,
            call,
            actor="clock",
            action=ACTION_FOR.get((CallStatus(before), target), f"call.{target.value}"),
            before={"status": before},
            after={"status": target.value},
            **_announcement(CallStatus(before), target),
        )
        changed += 1
    return changed
