"""The call follows the joint evaluation: a fixed ranking, a funding decision and published results move its
lifecycle on by themselves (audited, announced as call.status_changed), as the clock opens and closes it."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallStatusChanged
from shared.service import Runtime

from ..calls import status_of
from ..changes import record_change
from ..domain.lifecycle import CallStatus, followed_status
from ..repository import get_call

logger = logging.getLogger(__name__)


async def follow_evaluation(
    session: AsyncSession, runtime: Runtime, call_id: str, reached: CallStatus, announced: str
) -> None:
    """`announced` (an event type) shows the call has reached `reached`."""
    call = await get_call(session, call_id, for_update=True)
    if call is None:  # not a call of ours: nothing to follow, and retrying would not change that
        logger.warning("%s for unknown call %s ignored", announced, call_id)
        return
    current = status_of(call, runtime.clock.now())
    target = followed_status(current, reached)
    if target is None:
        return
    call.status = target.value
    await record_change(
        session,
        runtime,
        call,
        actor="joint_evaluation",
        action="call.status_changed",
        before={"status": current.value},
        after={"status": target.value},
        reason=f"joint_evaluation announced {announced}",
        event=CallStatusChanged,
        event_fields={"previous_status": current.value},
    )
