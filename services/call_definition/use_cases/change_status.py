"""An agency moves a closed call on: eligibility, evaluation, ranking, decisions, results."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Conflict
from shared.events import CallStatusChanged
from shared.http.principal import Principal
from shared.service import Runtime

from ..calls import status_of
from ..changes import call_for_update, record_change
from ..domain.lifecycle import CallStatus, transition_refusal
from ..models import Call


async def change_status(
    session: AsyncSession, runtime: Runtime, actor: Principal, call_id: str, target: CallStatus, reason: str
) -> Call:
    call = await call_for_update(session, call_id)
    current = status_of(call, runtime.clock.now())
    if target is CallStatus.PUBLISHED:
        raise Conflict("Publish a draft with POST /calls/{id}/publish.")
    refusal = transition_refusal(current, target)
    if refusal:
        raise Conflict(f"The call cannot move on: {refusal}.")
    call.status = target.value
    await record_change(
        session,
        runtime,
        call,
        actor=actor.actor,
        action="call.status_changed",
        before={"status": current.value},
        after={"status": target.value},
        reason=reason or None,
        event=CallStatusChanged,
        event_fields={"previous_status": current.value},
    )
    return call
