"""What a change of joint_evaluation writes beside itself, in the same transaction: its audit record (in the
service's `audit_log`, stamped by the runtime's clock) and, when other services must know, its event in the
outbox (sent as joint_evaluation, about the call)."""

from __future__ import annotations

from typing import Any, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditFields, record_audit
from shared.events import EventData
from shared.messaging.outbox import emit
from shared.service import Runtime

from .models import audit_log

SOURCE = "joint_evaluation"


class Change(TypedDict, total=False):
    """The state before and after a change, and why it was made (each optional)."""

    before: Any
    after: Any
    reason: str | None


async def audit(
    session: AsyncSession,
    runtime: Runtime,
    actor: str,
    action: str,
    entity: tuple[str, str],
    call_id: str,
    **change: Unpack[Change],
) -> None:
    """Record that `actor` did `action` to `entity` (its kind and id) of the call `call_id`."""
    kind, entity_id = entity
    record = AuditFields(
        clock=runtime.clock, actor=actor, action=action, entity=kind, entity_id=entity_id, call_id=call_id, **change
    )
    await record_audit(session, audit_log, **record)


async def audit_call(
    session: AsyncSession, runtime: Runtime, actor: str, action: str, call_id: str, **change: Unpack[Change]
) -> None:
    """Record a change to the call as a whole (the call is the entity)."""
    await audit(session, runtime, actor, action, ("call", call_id), call_id, **change)


async def announce(session: AsyncSession, runtime: Runtime, event: EventData, call_id: str) -> None:
    """Put the event about the call in the outbox; it leaves when the transaction commits."""
    await emit(session, runtime.tables, event, source=SOURCE, subject=call_id, clock=runtime.clock)
