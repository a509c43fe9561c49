"""A service's local copy of the calls it works with, built from call.* events.

Event-carried state transfer: the event holds the full call version, stored as is; an older
version arriving late never overwrites a newer one.
"""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.db import UtcDateTime
from shared.events import CallSnapshot


def add_call_copy_table(metadata: MetaData) -> Table:
    return Table(
        "call_copies",
        metadata,
        Column("call_id", String(36), primary_key=True),
        # The snapshot's ordering key (its revision): a late, older snapshot never replaces a newer one.
        Column("version", Integer, nullable=False),
        Column("snapshot", JSON, nullable=False),
        Column("received_at", UtcDateTime, nullable=False),
    )


async def upsert_call_copy(session: AsyncSession, table: Table, call: CallSnapshot, clock: Clock) -> bool:
    """Store the call version unless a newer one is already here; True if stored."""
    values = {
        "call_id": str(call.call_id),
        "version": call.ordering_key,
        "snapshot": call.model_dump(mode="json"),
        "received_at": clock.now(),
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = await session.execute(dialect.insert(table).values(values).on_conflict_do_nothing())
    if inserted.rowcount:  # type: ignore[attr-defined]
        return True
    updated = await session.execute(
        update(table).where(table.c.call_id == values["call_id"], table.c.version < call.ordering_key).values(values)
    )
    return bool(updated.rowcount)  # type: ignore[attr-defined]


async def load_call_copy(session: AsyncSession, table: Table, call_id: uuid.UUID | str) -> CallSnapshot | None:
    snapshot = (await session.execute(select(table.c.snapshot).where(table.c.call_id == str(call_id)))).scalar()
    return CallSnapshot.model_validate(snapshot) if snapshot is not None else None
