"""An agency reworks a draft call: the whole configuration is replaced and validated again."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import FieldError, PreconditionFailed, ValidationFailed
from shared.http.principal import Principal
from shared.service import Runtime

from ..calls import etag, store_configuration
from ..changes import call_for_update, record_change, refuse_if
from ..domain.lifecycle import CallStatus
from ..domain.validation import validate_configuration
from ..errors import CallNotDraft
from ..models import Call


async def update_draft(
    session: AsyncSession,
    runtime: Runtime,
    actor: Principal,
    call_id: str,
    config: CallConfiguration,
    if_match: str | None,
) -> Call:
    call = await call_for_update(session, call_id)
    if if_match is not None and if_match != etag(call):
        raise PreconditionFailed(
            f"The call changed since you read it (now {etag(call)}); read it again.", extra={"etag": etag(call)}
        )
    if call.status != CallStatus.DRAFT.value:
        raise CallNotDraft("A published call changes only through amendments.", extra={"call_status": call.status})
    if config.code != call.code:
        raise ValidationFailed("The code of a call cannot change.", errors=[FieldError("code", "cannot change")])
    refuse_if(validate_configuration(config), "The call is not valid")
    before = call.configuration
    store_configuration(call, config)
    await record_change(
        session, runtime, call, actor=actor.actor, action="call.draft_updated", before=before, after=call.configuration
    )
    return call
