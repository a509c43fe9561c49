"""How call_definition's responses are built from what its use cases return: the one place."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping

from shared.pagination import Page, Window

from ..calls import configuration_of, status_of
from ..models import Call, CallVersion
from .schemas import AuditEntryOut, CallOut, CallVersionOut


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


def call_page(calls: Window[Call], now: datetime) -> Page[CallOut]:
    return Page[CallOut](items=[call_out(c, now) for c in calls.items], next_cursor=calls.next_cursor)


def versions_out(versions: list[CallVersion]) -> list[CallVersionOut]:
    return [CallVersionOut.model_validate(v, from_attributes=True) for v in versions]


def audit_out(entries: list[RowMapping]) -> list[AuditEntryOut]:
    return [AuditEntryOut.model_validate(dict(entry)) for entry in entries]
