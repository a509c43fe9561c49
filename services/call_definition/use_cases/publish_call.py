"""An agency publishes a draft call: version 1 is fixed and call.published goes out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CallPublished
from shared.http.principal import Principal
from shared.service import Runtime

from ..calls import configuration_of
from ..changes import add_version, call_for_update, record_change, refuse_if
from ..domain.amendments import VersionKind
from ..domain.lifecycle import CallStatus, clock_status, transition_refusal
from ..domain.validation import validate_configuration, validate_publication
from ..errors import CallNotDraft
from ..models import Call


async def publish_call(session: AsyncSession, runtime: Runtime, actor: Principal, call_id: str) -> Call:
    call = await call_for_update(session, call_id)
    refusal = transition_refusal(CallStatus(call.status), CallStatus.PUBLISHED)
    if refusal:
        raise CallNotDraft(f"The call cannot be published: {refusal}.", extra={"call_status": call.status})
    config = configuration_of(call)
    now = runtime.clock.now()
    refuse_if(validate_configuration(config) + validate_publication(config, now), "The call cannot be published")
    call.status = clock_status(config, now).value
    call.version = 1
    add_version(session, call, kind=VersionKind.PUBLICATION, reason="published", by=actor.label, at=now)
    await record_change(
        session,
        runtime,
        call,
        actor=actor.actor,
        action="call.published",
        before={"status": CallStatus.DRAFT},
        after={"status": call.status, "version": 1},
        event=CallPublished,
    )
    return call
