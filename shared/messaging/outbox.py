"""Transactional outbox: the event row commits with the business change; a relay publishes it.

The relay marks a row published only after the broker confirmed it, so a crash between commit
and publish delays the event but never loses it (consumers are idempotent, so a re-publish after
a crash between confirm and mark is harmless). On PostgreSQL rows are claimed with
FOR UPDATE SKIP LOCKED, so several relays can run side by side.

A relay publishes as soon as a transaction that wrote outbox rows commits on its own engine (in this process:
`OutboxCommits`), and otherwise polls: the poll is what finds rows another process wrote (the API of the full
stack, whose relay runs in the worker) or a crash left behind.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

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


async def emit_all(
    session: AsyncSession,
    tables: MessagingTables,
    events: list[tuple[str, EventData]],
    *,
    source: str,
    clock: Clock,
) -> list[Envelope]:
    """`emit` for several events, (subject, data) each, in one statement (an executemany), in their order."""
    envelopes = [outgoing_envelope(data, source=source, subject=subject, clock=clock) for subject, data in events]
    if envelopes:
        await session.execute(insert(tables.outbox), [outbox_row(envelope) for envelope in envelopes])
    return envelopes


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


class OutboxCommits:
    """Sets the events of the relays waiting on an engine once a transaction that wrote outbox rows has committed.

    It watches the engine's statements rather than the code that writes the rows (`emit`, `outbox_row` in a
    statement of the caller's own, a CTE): whatever inserts into the outbox is seen. A connection that inserted is
    marked; its commit turns the mark into "committed" (a rollback drops it); and the signal fires when the
    connection goes back to the pool, i.e. after the commit returned, so the woken relay's own connection sees the
    rows (on SQLite, a reader started during the commit would not).
    """

    def __init__(self, engine: AsyncEngine, outbox: Table) -> None:
        self._insert = f"INSERT INTO {engine.dialect.identifier_preparer.format_table(outbox)} "
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        # The marks are this signal's own: two signals on one engine (two relays, a test's) each see every commit.
        self._written, self._committed_mark = ("outbox_written", id(self)), ("outbox_committed", id(self))
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "after_cursor_execute", self._executed)
        event.listen(sync_engine, "commit", self._committed)
        event.listen(sync_engine, "rollback", self._rolled_back)
        event.listen(sync_engine, "checkin", self._returned)

    def wake_on_commit(self, wake: asyncio.Event) -> None:
        """Set `wake` (from its event loop) after every commit that wrote outbox rows; until `forget`."""
        self._waiters.append((asyncio.get_running_loop(), wake))

    def forget(self, wake: asyncio.Event) -> None:
        self._waiters = [(loop, event) for loop, event in self._waiters if event is not wake]

    def _executed(self, conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._insert in statement:  # also inside a CTE: "WITH event AS (INSERT INTO outbox (...) ...)"
            conn.info[self._written] = True

    def _committed(self, conn: Connection) -> None:
        if conn.info.pop(self._written, False):
            conn.info[self._committed_mark] = True

    def _rolled_back(self, conn: Connection) -> None:
        conn.info.pop(self._written, None)

    def _returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record is None or not record.info.pop(self._committed_mark, False):
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for loop, wake in self._waiters:
            if loop is running:
                wake.set()
            elif not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)


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
        """`poll_interval_s`: how often it looks for rows nobody told it about (written by another process, or
        left by a crash); rows committed on this session factory's engine, in this process, wake it at once."""
        self._sessions = session_factory
        self._outbox = tables.outbox
        self._bus = bus
        self._clock = clock
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        engine = session_factory.kw.get("bind")
        self._commits = OutboxCommits(engine, tables.outbox) if isinstance(engine, AsyncEngine) else None

    async def run(self, stop: asyncio.Event) -> None:
        wake = asyncio.Event()
        if self._commits is not None:
            self._commits.wake_on_commit(wake)
        try:
            await self._run(stop, wake)
        finally:
            if self._commits is not None:
                self._commits.forget(wake)

    async def _run(self, stop: asyncio.Event, wake: asyncio.Event) -> None:
        backoff = self._poll_interval_s
        while not stop.is_set():
            wake.clear()  # a commit from here on makes another pass
            try:
                published, failed = await self.relay_once()
                backoff = self._poll_interval_s if not failed else min(backoff * 2, 10.0)
                if published == self._batch_size:
                    continue  # more waiting: no pause
            except Exception:
                logger.exception("outbox relay pass failed")
                backoff = min(backoff * 2, 10.0)
            # The backoff spaces out the polls; a commit of new rows is worth a pass at once even after a
            # failure (it is bounded by how often the service commits events, not by a loop of its own).
            await _first_of(stop, wake, seconds=backoff)

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
        # One statement per distinct error, not per row: events no queue is bound for (the embedded default's
        # grant.signed, report.submitted) stay in the outbox and are offered again on every pass, a batch of
        # them at a time, all refused with the same error.
        by_error: dict[str, list[int]] = {}
        for row_id, error in failed:
            by_error.setdefault(f"{type(error).__name__}: {error}"[:2000], []).append(row_id)
        for last_error, ids in by_error.items():
            await session.execute(
                update(self._outbox)
                .where(self._outbox.c.id.in_(ids))
                .values(attempts=self._outbox.c.attempts + 1, last_error=last_error)
            )
        return published, failed


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, *, seconds: float) -> None:
    """Wait until `stop` or `wake` is set, or `seconds` passed."""
    if stop.is_set() or wake.is_set():
        return
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


async def outbox_backlog(session: AsyncSession, tables: MessagingTables) -> tuple[int, datetime | None]:
    """How many events wait to be published, and since when the oldest waits."""
    row = (
        await session.execute(
            select(func.count(), func.min(tables.outbox.c.created_at)).where(tables.outbox.c.published_at.is_(None))
        )
    ).one()
    oldest = as_utc(row[1]) if row[1] is not None else None
    return int(row[0]), oldest
