"""An agency amends a published call: a new version, announced with the reason, audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallAmended
from shared.http.principal import Principal
from shared.service import Runtime

from ..calls import configuration_of, status_of, store_configuration
from ..changes import add_version, call_for_update, record_change, refuse_if
from ..domain.amendments import BudgetTopUp, DeadlineExtension, DocumentTypesChange, TextCorrection, apply_amendment
from ..domain.lifecycle import CLOCK_DRIVEN, CallStatus, clock_status
from ..errors import CallIsDraft
from ..models import Call


async def amend_call(
    session: AsyncSession,
    runtime: Runtime,
    actor: Principal,
    call_id: str,
    amendment: DeadlineExtension | BudgetTopUp | TextCorrection | DocumentTypesChange,
) -> Call:
    call = await call_for_update(session, call_id)
    now = runtime.clock.now()
    if call.status == CallStatus.DRAFT.value:
        raise CallIsDraft(
            "A draft is edited directly (PUT); amendments are for published calls.", extra={"call_status": call.status}
        )
    before = configuration_of(call)
    amended, errors = apply_amendment(before, status_of(call, now), amendment, now)
    refuse_if(errors, "The amendment cannot be made")
    store_configuration(call, amended)
    if CallStatus(call.status) in CLOCK_DRIVEN:
        call.status = clock_status(amended, now).value  # an extension reopens a closed call
    call.version += 1
    add_version(session, call, kind=amendment.kind, reason=amendment.reason, by=actor.label, at=now)
    await record_change(
        session,
        runtime,
        call,
        actor=actor.actor,
        action=f"call.amended.{amendment.kind}",
        before=before.model_dump(mode="json"),
        after=call.configuration,
        reason=amendment.reason,
        event=CallAmended,
        event_fields={"kind": amendment.kind, "reason": amendment.reason},
    )
    return call
