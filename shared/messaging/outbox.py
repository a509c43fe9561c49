"""Transactional outbox: the event row commits with the business change; a relay publishes it.

The relay marks a row published only after the broker confirmed it, so a crash between commit
and publish delays the event but never loses it (consumers are idempotent, so a re-publish after
a crash between confirm and mark is harmless). On PostgreSQL rows are claimed with
FOR UPDATE SKIP LOCKED, so several relays can run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import Clock, as_utc
from shared.events import Envelope, EventData, make_envelope
from shared.logs import correlation_id_var
from shared.messaging.bus import Bus
from shared.messaging.tables import MessagingTables

logger = logging.getLogger(__name__)

# Set while a message is handled, so events emitted by the handler name their cause.
causation_id_var: ContextVar[str | None] = ContextVar("causation_id", default=None)


async def emit(
    session: AsyncSession,
    tables: MessagingTables,
    data: EventData,
    *,
    source: str,
    subject: str,
    clock: Clock,
) -> Envelope:
    """Add an event to the outbox in the caller's transaction; it leaves when that commits."""
    envelope = outgoing_envelope(data, source=source, subject=subject, clock=clock)
    # insert(table) with the values as parameters, not .values(...): the statement is the same every time,
    # so SQLAlchemy finds it compiled in its cache instead of building and keying a new one per event.
    await session.execute(insert(tables.outbox), outbox_row(envelope))
    return envelope


def outgoing_envelope(data: EventData, *, source: str, subject: str, clock: Clock) -> Envelope:
    """The envelope `emit` stores: named after the request or message being handled (correlation, causation)."""
    return make_envelope(
        data,
        source=source,
        subject=subject,
        clock=clock,
        correlation_id=correlation_id_var.get(),
        causation_id=causation_id_var.get(),
    )


def outbox_row(envelope: Envelope) -> dict[str, Any]:
    """The outbox row of an envelope (column values), for a caller that writes it in a statement of its own;
    it must be in the same transaction as the change the event announces."""
    return {
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        "subject": envelope.subject,
        "correlation_id": envelope.correlationid,
        "envelope": envelope.model_dump_json(),
        "created_at": envelope.time,
        "attempts": 0,
    }


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        bus: Bus,
        clock: Clock,
        *,
        batch_size: int = 100,
        poll_interval_s: float = 0.2,
    ) -> None:
        self._sessions = session_factory
        self._outbox = tables.outbox
        self._bus = bus
        self._clock = clock
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._poll_interval_s
        while not stop.is_set():
            try:
                published, failed = await self.relay_once()
                backoff = self._poll_interval_s if not failed else min(backoff * 2, 10.0)
                if published == self._batch_size:
                    continue  # more waiting: no pause
            except Exception:
                logger.exception("outbox relay pass failed")
                backoff = min(backoff * 2, 10.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)

    async def relay_once(self) -> tuple[int, int]:
        """Publish one batch of pending rows in order; return (published, failed)."""
        async with self._sessions() as session:
            postgres = session.get_bind().dialect.name == "postgresql"
            rows = await self._claim(session, lock=postgres)
            if not postgres:
                # SQLite cannot upgrade a read snapshot to a write once another writer has
                # committed: release it while publishing (one relay per SQLite database).
                await session.rollback()
            if not rows:
                return 0, 0
            results = await self._bus.publish_batch([Envelope.model_validate_json(r.envelope) for r in rows])
            published, failed = await self._record(session, [r.id for r in rows], results)
            await session.commit()
        if failed:
            logger.warning("outbox: %d of %d events not confirmed yet: %s", len(failed), len(rows), failed[0][1])
        return len(published), len(failed)

    async def _claim(self, session: AsyncSession, *, lock: bool) -> list[Any]:
        query = (
            select(self._outbox.c.id, self._outbox.c.envelope)
            .where(self._outbox.c.published_at.is_(None))
            # Rows the bus refused before (e.g. an event no queue is bound for yet) go after the fresh ones:
            # a batch's worth of them must never hold back every later event.
            .order_by(self._outbox.c.attempts, self._outbox.c.id)
            .limit(self._batch_size)
        )
        if lock:  # several relays share the work; a row is never published by two at once
            query = query.with_for_update(skip_locked=True)
        return list((await session.execute(query)).all())

    async def _record(
        self, session: AsyncSession, row_ids: list[int], results: list[BaseException | None]
    ) -> tuple[list[int], list[tuple[int, BaseException]]]:
        published = [row_id for row_id, error in zip(row_ids, results, strict=True) if error is None]
        failed = [(row_id, error) for row_id, error in zip(row_ids, results, strict=True) if error is not None]
        if published:
            await session.execute(
                update(self._outbox).where(self._outbox.c.id.in_(published)).values(published_at=self._clock.now())
            )
        for row_id, error in failed:
            await session.execute(
                update(self._outbox)
                .where(self._outbox.c.id == row_id)
                .values(attempts=self._outbox.c.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:2000])
            )
        return published, failed


async def outbox_backlog(session: AsyncSession, tables: MessagingTables) -> tuple[int, datetime | None]:
    """How many events wait to be published, and since when the oldest waits."""
    row = (
        await session.execute(
            select(func.count(), func.min(tables.outbox.c.created_at)).where(tables.outbox.c.published_at.is_(None))
        )
    ).one()
    oldest = as_utc(row[1]) if row[1] is not None else None
    return int(row[0]), oldest
