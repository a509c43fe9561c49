"""Audit trail: every state change records who, what, when, and the state before and after."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy import JSON, Column, Index, MetaData, String, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.db import UtcDateTime
from shared.logs import correlation_id_var
from shared.messaging.tables import BigId


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
    )
    Index("ix_audit_entity", table.c.entity, table.c.entity_id)
    return table


class AuditFields(TypedDict):
    """What an audit record says: who did what to which entity, the state before and after, and why."""

    clock: Clock
    actor: str
    action: str
    entity: str
    entity_id: str
    before: NotRequired[Any]
    after: NotRequired[Any]
    reason: NotRequired[str | None]


async def record_audit(session: AsyncSession, table: Table, **fields: Unpack[AuditFields]) -> None:
    # The values as parameters of insert(table): one cached compiled statement (see shared.messaging.outbox.emit).
    await session.execute(insert(table), audit_row(**fields))


def audit_row(**fields: Unpack[AuditFields]) -> dict[str, Any]:
    """The audit record's column values, for a caller that writes it in a statement of its own (in the same
    transaction as the change it records)."""
    return {
        "at": fields["clock"].now(),
        "actor": fields["actor"],
        "action": fields["action"],
        "entity": fields["entity"],
        "entity_id": fields["entity_id"],
        "before": fields.get("before"),
        "after": fields.get("after"),
        "reason": fields.get("reason"),
        "correlation_id": correlation_id_var.get(),
    }
