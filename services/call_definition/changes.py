"""What every change to a call does: bump its revision, announce it, and audit it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.errors import NotFound, ValidationFailed
from shared.events import CallEvent, CallSnapshot
from shared.messaging.outbox import emit
from shared.service import Runtime

from .calls import call_snapshot, configuration_of
from .domain.lifecycle import CallStatus, next_clock_change
from .models import Call, CallVersion, audit_log
from .repository import get_call


async def call_for_update(session: AsyncSession, call_id: str) -> Call:
    call = await get_call(session, call_id, for_update=True)
    if call is None:
        raise NotFound(f"No call {call_id}.")
    return call


def add_version(session: AsyncSession, call: Call, *, kind: str, reason: str, by: str, at: datetime) -> None:
    """Fix the call's configuration as it stands as its version `call.version` (a publication, an amendment)."""
    session.add(
        CallVersion(
            call_id=call.id,
            version=call.version,
            configuration=call.configuration,
            kind=kind,
            reason=reason,
            created_at=at,
            created_by=by,
        )
    )


def refuse_if(errors: list[Any], summary: str) -> None:
    if errors:
        raise ValidationFailed(f"{summary}: " + "; ".join(e.message for e in errors), errors=errors)


async def record_change(
    session: AsyncSession,
    runtime: Runtime,
    call: Call,
    *,
    actor: str,
    action: str,
    before: Any,
    after: Any,
    reason: str | None = None,
    event: type[CallEvent] | None = None,
    event_fields: dict[str, Any] | None = None,
) -> CallSnapshot:
    now = runtime.clock.now()
    call.revision += 1
    call.updated_at = now
    call.clock_due_at = next_clock_change(CallStatus(call.status), configuration_of(call), now)
    await session.flush()
    snapshot = call_snapshot(call, now)
    if event is not None:
        await emit(
            session,
            runtime.tables,
            event(call=snapshot, **(event_fields or {})),
            source=runtime.name,
            subject=call.id,
            clock=runtime.clock,
        )
    trail = AuditTrail(session, audit_log, runtime.clock, actor)
    await trail.record(action, call.audited, before=before, after=after, reason=reason)
    return snapshot
