"""The in-process bus of the embedded default: one process, no broker to install.

It keeps its queues in a SQLite file, so it has the broker's guarantees the outbox relies on:
a published message survives a crash of the process and is delivered after restart. Routing,
retries with delay and parking mirror the RabbitMQ topology (one queue per subscription).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select, update

from shared.clock import Clock, SystemClock, as_utc
from shared.db import UtcDateTime, create_engine, create_session_factory, sqlite_url_for
from shared.events import Envelope
from shared.messaging.bus import Outcome, Subscription, Unroutable, run_handler, topic_matches
from shared.metrics import count_parked

logger = logging.getLogger(__name__)

_metadata = MetaData()
messages = Table(
    "bus_messages",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("queue", String(200), nullable=False, index=True),
    Column("message_id", String(36), nullable=False),
    Column("body", Text, nullable=False),
    Column("attempt", Integer, nullable=False, default=1),
    Column("available_at", UtcDateTime, nullable=False),
    Column("state", String(10), nullable=False, default="ready"),  # ready | dead
    Column("last_error", Text, nullable=True),
)


class InProcessBus:
    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        max_attempts: int = 5,
        retry_delay_ms: int = 2000,
        poll_interval_s: float = 0.5,
    ) -> None:
        self._engine = create_engine(sqlite_url_for(path))
        self._sessions = create_session_factory(self._engine)
        self._clock = clock or SystemClock()
        self._max_attempts = max_attempts
        self._retry_delay = timedelta(milliseconds=retry_delay_ms)
        self._poll_interval_s = poll_interval_s
        self._subscriptions: dict[str, Subscription] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    def subscribe(self, subscription: Subscription) -> None:
        if self._started:
            raise RuntimeError("subscribe before start")
        if subscription.queue in self._subscriptions:
            raise ValueError(f"queue {subscription.queue} already has a consumer")
        self._subscriptions[subscription.queue] = subscription

    async def start(self) -> None:
        async with self._engine.begin() as connection:
            await connection.run_sync(_metadata.create_all)
        self._started = True
        for queue in self._subscriptions:
            self._wake[queue] = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._consume(queue), name=f"bus:{queue}"))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self._engine.dispose()

    def is_ready(self) -> bool:
        return self._started

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        rows: list[dict[str, object]] = []
        now = self._clock.now()
        for envelope in envelopes:
            queues = [
                queue
                for queue, sub in self._subscriptions.items()
                if any(topic_matches(pattern, envelope.routing_key) for pattern in sub.routing_keys)
            ]
            if not queues:
                results.append(Unroutable(f"no queue is bound for {envelope.routing_key}"))
                continue
            body = envelope.model_dump_json()
            rows += [
                {
                    "queue": q,
                    "message_id": str(envelope.id),
                    "body": body,
                    "attempt": 1,
                    "available_at": now,
                    "state": "ready",
                }
                for q in queues
            ]
            results.append(None)
        if rows:
            async with self._sessions() as session, session.begin():
                await session.execute(insert(messages), rows)
            for queue in {str(row["queue"]) for row in rows}:
                self._wake[queue].set()
        return results

    async def _consume(self, queue: str) -> None:
        subscription = self._subscriptions[queue]
        wake = self._wake[queue]
        consumer = asyncio.current_task()
        while True:
            if consumer is not None and consumer.cancelling():
                # close() cancelled it inside a handler, whose session's clean-up turned the cancellation into an
                # error the handler's caller settles as a retry: stop here, not at the next message.
                return
            wake.clear()  # a publish from here on makes another look
            row = await self._next(queue)
            due_in = self._poll_interval_s
            if row is not None:
                due_in = min(due_in, (as_utc(row.available_at) - self._clock.now()).total_seconds())
            if row is None or due_in > 0:
                # Publishing wakes the queue's consumer; besides, it waits for its first retry to fall due, and
                # polls for what nobody announces: a message another process put back (`jointcall dead-letters
                # replay`), a clock moved forward.
                with contextlib.suppress(TimeoutError):  # (not less than 10 ms: a clock that stands still)
                    await asyncio.wait_for(wake.wait(), timeout=max(due_in, 0.01))
                continue
            envelope = Envelope.model_validate_json(row.body)
            outcome, error = await run_handler(
                subscription.handler,
                envelope,
                attempt=row.attempt,
                max_attempts=self._max_attempts,
                queue=queue,
            )
            await self._settle(row.id, row.attempt, outcome, error)
            if outcome is Outcome.PARK:
                count_parked(queue, envelope.type)

    async def _next(self, queue: str):  # type: ignore[no-untyped-def]
        async with self._sessions() as session:
            return (
                await session.execute(
                    # The first ready message, due or not: when it is not due yet, when it will be.
                    select(messages.c.id, messages.c.body, messages.c.attempt, messages.c.available_at)
                    .where(messages.c.queue == queue, messages.c.state == "ready")
                    .order_by(messages.c.available_at, messages.c.id)
                    .limit(1)
                )
            ).first()

    async def _settle(self, row_id: int, attempt: int, outcome: Outcome, error: str | None) -> None:
        async with self._sessions() as session, session.begin():
            if outcome is Outcome.ACK:
                await session.execute(delete(messages).where(messages.c.id == row_id))
            elif outcome is Outcome.RETRY:
                await session.execute(
                    update(messages)
                    .where(messages.c.id == row_id)
                    .values(
                        attempt=attempt + 1,
                        available_at=self._clock.now() + self._retry_delay,
                        last_error=error,
                    )
                )
            else:
                await session.execute(
                    update(messages).where(messages.c.id == row_id).values(state="dead", last_error=error)
                )

    # --- operator's view of the dead letters -----------------------------------------------

    async def dead_letters(self, queue: str | None = None) -> list[dict[str, object]]:
        query = select(messages).where(messages.c.state == "dead").order_by(messages.c.id)
        if queue:
            query = query.where(messages.c.queue == queue)
        async with self._sessions() as session:
            rows = (await session.execute(query)).mappings().all()
        return [
            {
                "queue": r["queue"],
                "message_id": r["message_id"],
                "event_type": _event_type(r["body"]),
                "attempts": r["attempt"],
                "error": r["last_error"],
                "parked_since": as_utc(r["available_at"]).isoformat(),
            }
            for r in rows
        ]

    async def dead_letter_count(self, subscription: Subscription) -> int:
        return len(await self.dead_letters(subscription.queue))

    async def replay_dead_letters(self, queue: str | None = None) -> int:
        """Put parked messages back on their queue (after the cause was fixed)."""
        statement = update(messages).where(messages.c.state == "dead")
        if queue:
            statement = statement.where(messages.c.queue == queue)
        async with self._sessions() as session, session.begin():
            result = await session.execute(statement.values(state="ready", attempt=1, available_at=self._clock.now()))
        for event in self._wake.values():
            event.set()
        return int(result.rowcount)  # type: ignore[attr-defined]


def _event_type(body: str) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):  # the body is an envelope's JSON, but be lenient
        event_type = json.loads(body).get("type")
        if isinstance(event_type, str):
            return event_type
    return None
