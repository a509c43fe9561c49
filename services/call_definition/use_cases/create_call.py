"""An agency creates a call as a draft, validated as a whole."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.calls import CallConfiguration
from shared.http.principal import Principal
from shared.service import Runtime

from ..calls import store_configuration
from ..changes import refuse_if
from ..domain.lifecycle import CallStatus
from ..domain.validation import validate_configuration
from ..errors import CallCodeTaken
from ..models import Call, audit_log
from ..repository import code_taken


async def create_call(session: AsyncSession, runtime: Runtime, actor: Principal, config: CallConfiguration) -> Call:
    refuse_if(validate_configuration(config), "The call is not valid")
    if await code_taken(session, config.code):
        raise CallCodeTaken(f"A call with code {config.code} already exists.", extra={"code": config.code})
    now = runtime.clock.now()
    call = Call(
        id=str(uuid.uuid4()),
        code=config.code,
        status=CallStatus.DRAFT.value,
        version=0,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    store_configuration(call, config)
    session.add(call)
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, actor.actor).record(
        "call.created", call.audited, after=call.configuration
    )
    return call
