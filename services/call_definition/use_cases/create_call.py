"""An agency creates a call as a draft."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.errors import Conflict, ValidationFailed
from shared.http.auth import Principal
from shared.service import Runtime

from ..api.schemas import CallDraftIn
from ..domain.lifecycle import CallStatus
from ..domain.validation import validate_regions, validate_timeline
from ..models import Call, audit_log
from ..repository import code_taken


async def create_call(session: AsyncSession, runtime: Runtime, actor: Principal, draft: CallDraftIn) -> Call:
    errors = validate_timeline(draft.opens_at, draft.deadline) + validate_regions(
        [(region.code, region.currency) for region in draft.regions]
    )
    if errors:
        raise ValidationFailed("The call is not valid: " + "; ".join(e.message for e in errors), errors=errors)
    if await code_taken(session, draft.code):
        raise Conflict(f"A call with code {draft.code} already exists.")
    now = runtime.clock.now()
    call = Call(
        id=str(uuid.uuid4()),
        code=draft.code,
        title=draft.title,
        description=draft.description,
        status=CallStatus.DRAFT.value,
        opens_at=draft.opens_at,
        deadline=draft.deadline,
        regions=[region.model_dump() for region in draft.regions],
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(call)
    await session.flush()
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=actor.label,
        action="call.created",
        entity="call",
        entity_id=call.id,
        after=draft.model_dump(mode="json"),
    )
    return call
