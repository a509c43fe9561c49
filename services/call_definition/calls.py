"""A stored call read as a configuration, its status as of now, its ETag and its snapshot for events: what the
use cases and the presenters share."""

from __future__ import annotations

from datetime import datetime

from shared.calls import CallConfiguration
from shared.events import CallSnapshot, RegionSnapshot
from shared.presenting import presented

from .domain.lifecycle import CallStatus, effective_status
from .models import Call


def configuration_of(call: Call) -> CallConfiguration:
    return CallConfiguration.model_validate(call.configuration)


def status_of(call: Call, now: datetime) -> CallStatus:
    return effective_status(CallStatus(call.status), configuration_of(call), now)


def call_snapshot(call: Call, now: datetime) -> CallSnapshot:
    config = configuration_of(call)
    return presented(
        CallSnapshot,
        call,
        call_id=call.id,
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
