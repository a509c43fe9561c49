"""Audit trail: every state change records who, what, when, and the state before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, NotRequired, TypedDict, Unpack

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, MetaData, RowMapping, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.db import UtcDateTime
from shared.errors import NotFound
from shared.logs import correlation_id_var
from shared.messaging.tables import BigId
from shared.pagination import Page, decode_id_cursor, encode_cursor
from shared.readmodel import load_call_copy


def add_audit_table(metadata: MetaData) -> Table:
    table = Table(
        "audit_log",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime, nullable=False),
        Column("actor", String(200), nullable=False),
        Column("action", String(100), nullable=False),
        Column("entity", String(50), nullable=False),
        Column("entity_id", String(100), nullable=False),
        Column("before", JSON, nullable=True),
        Column("after", JSON, nullable=True),
        Column("reason", String(2000), nullable=True),
        Column("correlation_id", String(128), nullable=True),
        # The call the change belongs to (None for what belongs to no call: an S3 priority set), so a call's
        # trail is one indexed range, whatever entity each row names (a check, an assessment, a report).
        Column("call_id", String(36), nullable=True),
    )
    Index("ix_audit_entity", table.c.entity, table.c.entity_id)
    Index("ix_audit_call", table.c.call_id, table.c.id)
    return table


class AuditFields(TypedDict):
    """What an audit record says: who did what to which entity, the state before and after, and why."""

    clock: Clock
    actor: str
    action: str
    entity: str
    entity_id: str
    # Required, even when None: every writer says which call its change belongs to.
    call_id: str | None
    before: NotRequired[Any]
    after: NotRequired[Any]
    reason: NotRequired[str | None]


async def record_audit(session: AsyncSession, table: Table, **fields: Unpack[AuditFields]) -> None:
    # The values as parameters of insert(table): one cached compiled statement (see shared.messaging.outbox.emit).
    await session.execute(insert(table), audit_row(**fields))


def audit_row(**fields: Unpack[AuditFields]) -> dict[str, Any]:
    """The audit record's column values, for a caller that writes it in a statement of its own (in the same
    transaction as the change it records)."""
    about = Audited(fields["entity"], fields["entity_id"], fields["call_id"])
    change = (fields.get("before"), fields.get("after"), fields.get("reason"))
    return _row(fields["clock"], fields["actor"], fields["action"], about, *change)


def _row(
    clock: Clock, actor: str, action: str, about: Audited, before: Any, after: Any, reason: str | None
) -> dict[str, Any]:
    """The one place an audit record's columns are filled: at the clock's now, in the request's correlation."""
    change = {"actor": actor, "action": action, "before": before, "after": after, "reason": reason}
    return {"at": clock.now(), "correlation_id": correlation_id_var.get(), **about._asdict(), **change}


class Audited(NamedTuple):
    """What a change is recorded against: the entity, its id, and the call it belongs to (None for what belongs
    to no call)."""

    entity: str
    entity_id: str
    call_id: str | None


@dataclass(frozen=True)
class AuditTrail:
    """Where one actor's changes are recorded: the session (the change's transaction), the service's audit
    table and the clock, said once; each change is then its action, what it is about, and its states."""

    session: AsyncSession
    table: Table
    clock: Clock
    actor: str

    async def record(
        self, action: str, about: Audited, *, before: Any = None, after: Any = None, reason: str | None = None
    ) -> None:
        row = _row(self.clock, self.actor, action, about, before, after, reason)
        await self.session.execute(insert(self.table), row)


class AuditEntryOut(BaseModel):
    """One audit record of a call, as every service's `GET /calls/{call_id}/audit` presents it."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: object | None
    after: object | None
    reason: str | None
    correlation_id: str | None
    # Resumes the list right after this entry: a client merging several services' trails pages each on from
    # the last entry it used, not only from the page's end.
    cursor: str


@dataclass(frozen=True)
class AuditQuery:
    """Which of a call's audit records to read: those whose actor and action contain the given text (case
    ignored), `limit` at a time from `cursor`."""

    actor: str | None = None
    action: str | None = None
    cursor: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class CallAudit:
    """The `list_audit` use case of a service that follows calls, over its audit table and its copy of the calls:
    a call's audit records, newest first; NotFound for a call the service has not heard of, an empty page for a
    known call with nothing recorded. One range of the (call_id, id) index, filtered in SQL."""

    table: Table
    call_copies: Table

    async def __call__(self, session: AsyncSession, call_id: str, query: AuditQuery) -> Page[AuditEntryOut]:
        if await load_call_copy(session, self.call_copies, call_id) is None:
            raise NotFound(f"No call {call_id} known here.")
        table = self.table
        statement = select(table).where(table.c.call_id == call_id)
        if query.cursor:
            statement = statement.where(table.c.id < decode_id_cursor(query.cursor))
        if query.actor:
            statement = statement.where(table.c.actor.icontains(query.actor, autoescape=True))
        if query.action:
            statement = statement.where(table.c.action.icontains(query.action, autoescape=True))
        rows = (await session.execute(statement.order_by(table.c.id.desc()).limit(query.limit))).mappings().all()
        items = [_entry_out(row) for row in rows]
        return Page[AuditEntryOut](items=items, next_cursor=items[-1].cursor if len(items) == query.limit else None)


def _entry_out(row: RowMapping) -> AuditEntryOut:
    values = {key: row[key] for key in AuditEntryOut.model_fields if key != "cursor"}
    return AuditEntryOut.model_validate({**values, "cursor": encode_cursor(row["id"])})
