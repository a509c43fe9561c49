"""How a stored call is shown and announced."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.clock import as_utc
from shared.events import CallSnapshot, RegionSnapshot

from ..api.schemas import CallOut, RegionOut
from ..domain.lifecycle import CallStatus, effective_status
from ..models import Call


def status_of(call: Call, now: datetime) -> CallStatus:
    return effective_status(CallStatus(call.status), as_utc(call.opens_at), as_utc(call.deadline), now)


def call_out(call: Call, now: datetime) -> CallOut:
    return CallOut(
        id=uuid.UUID(call.id),
        code=call.code,
        title=call.title,
        description=call.description,
        status=status_of(call, now),
        opens_at=as_utc(call.opens_at),
        deadline=as_utc(call.deadline),
        regions=[RegionOut(**region) for region in call.regions],
        version=call.version,
        created_at=as_utc(call.created_at),
        updated_at=as_utc(call.updated_at),
    )


def call_snapshot(call: Call, now: datetime) -> CallSnapshot:
    return CallSnapshot(
        call_id=uuid.UUID(call.id),
        version=call.version,
        code=call.code,
        title=call.title,
        status=status_of(call, now).value,
        opens_at=as_utc(call.opens_at),
        deadline=as_utc(call.deadline),
        regions=[RegionSnapshot(**region) for region in call.regions],
    )
