"""How a stored call is shown and announced."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.calls import CallConfiguration
from shared.events import CallSnapshot, RegionSnapshot

from ..api.schemas import CallOut
from ..domain.lifecycle import CallStatus, effective_status
from ..models import Call


def configuration_of(call: Call) -> CallConfiguration:
    return CallConfiguration.model_validate(call.configuration)


def status_of(call: Call, now: datetime) -> CallStatus:
    return effective_status(CallStatus(call.status), configuration_of(call), now)


def call_out(call: Call, now: datetime) -> CallOut:
    config = configuration_of(call)
    return CallOut(
        id=uuid.UUID(call.id),
        code=call.code,
        title=call.title,
        status=status_of(call, now),
        version=call.version,
        revision=call.revision,
        opens_at=call.opens_at,
        deadline=call.deadline,
        deadline_local=call.deadline.astimezone(ZoneInfo(config.time_zone)),
        configuration=config,
        created_at=call.created_at,
        updated_at=call.updated_at,
    )


def call_snapshot(call: Call, now: datetime) -> CallSnapshot:
    config = configuration_of(call)
    return CallSnapshot(
        call_id=uuid.UUID(call.id),
        version=call.version,
        revision=call.revision,
        code=call.code,
        title=call.title,
        status=status_of(call, now).value,
        opens_at=config.opens_at,
        deadline=config.deadline,
        regions=[RegionSnapshot(code=r.code, name=r.name, currency=r.currency) for r in config.regions],
        configuration=config,
    )


def store_configuration(call: Call, config: CallConfiguration) -> None:
    call.configuration = config.model_dump(mode="json")
    call.title = config.title
    call.opens_at = config.opens_at
    call.deadline = config.deadline


def etag(call: Call) -> str:
    return f'"{call.revision}"'
