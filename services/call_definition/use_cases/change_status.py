"""An agency moves a closed call on: eligibility, evaluation, ranking, decisions, results."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallStatusChanged
from shared.http.principal import Principal
from shared.service import Runtime

from ..calls import status_of
from ..changes import call_for_update, record_change
from ..domain.lifecycle import NEXT_BY_HAND, CallStatus, transition_refusal
from ..errors import CallTransitionRefused
from ..models import Call


async def change_status(
    session: AsyncSession, runtime: Runtime, actor: Principal, call_id: str, target: CallStatus, reason: str
) -> Call:
    call = await call_for_update(session, call_id)
    current = status_of(call, runtime.clock.now())
    step = NEXT_BY_HAND.get(current)
    extra = {"call_status": current.value, "target": target.value, "allowed": [step.value] if step else []}
    if target is CallStatus.PUBLISHED:
        raise CallTransitionRefused("Publish a draft with POST /calls/{id}/publish.", extra=extra)
    refusal = transition_refusal(current, target)
    if refusal:
        raise CallTransitionRefused(f"The call cannot move on: {refusal}.", extra=extra)
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
