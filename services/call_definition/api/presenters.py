"""How call_definition's responses are built from what its use cases return: the one place."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping

from shared.pagination import Page, Window, page_of
from shared.presenting import presented

from ..calls import configuration_of, status_of
from ..models import Call, CallVersion
from .schemas import AuditEntryOut, CallOut, CallVersionOut


def call_out(call: Call, now: datetime) -> CallOut:
    config = configuration_of(call)
    return presented(
        CallOut,
        call,
        status=status_of(call, now),
        deadline_local=call.deadline.astimezone(ZoneInfo(config.time_zone)),
        configuration=config,
    )


def call_page(calls: Window[Call], now: datetime) -> Page[CallOut]:
    return page_of(calls, lambda call: call_out(call, now))


def versions_out(versions: list[CallVersion]) -> list[CallVersionOut]:
    return [CallVersionOut.model_validate(v, from_attributes=True) for v in versions]


def audit_out(entries: list[RowMapping]) -> list[AuditEntryOut]:
    return [AuditEntryOut.model_validate(dict(entry)) for entry in entries]
