"""An agency publishes a draft call: it becomes public and call.published goes out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.clock import as_utc
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.events import CallPublished
from shared.http.auth import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..domain.lifecycle import CallStatus, can_publish
from ..domain.validation import validate_publication
from ..models import Call, audit_log
from ..repository import get_call
from .views import call_snapshot, status_of


async def publish_call(session: AsyncSession, runtime: Runtime, actor: Principal, call_id: str) -> Call:
    call = await get_call(session, call_id, for_update=True)
    if call is None:
        raise NotFound(f"No call {call_id}.")
    now = runtime.clock.now()
    if not can_publish(CallStatus(call.status)):
        raise Conflict(f"The call is {status_of(call, now).value}; only a draft can be published.")
    errors = validate_publication(as_utc(call.deadline), now)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    call.status = CallStatus.PUBLISHED.value
    call.updated_at = now
    await session.flush()
    snapshot = call_snapshot(call, now)
    await emit(
        session,
        runtime.tables,
        CallPublished(call=snapshot),
        source="call_definition",
        subject=call.id,
        clock=runtime.clock,
    )
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=actor.label,
        action="call.published",
        entity="call",
        entity_id=call.id,
        before={"status": "draft"},
        after={"status": CallStatus.PUBLISHED.value, "version": call.version},
    )
    return call
