"""The outbox relay publishes committed events in order and keeps what the bus did not confirm."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import literal, select

from services.call_definition.models import messaging
from services.registry import SERVICES
from shared.clock import MovableClock
from shared.events import CallPublished, Envelope
from shared.messaging.bus import BusUnavailable, Subscription
from shared.messaging.outbox import OutboxCommits, OutboxRelay, emit, outbox_backlog, outbox_row, outgoing_envelope
from shared.service import Runtime, open_runtime
from tests.conftest import drop_postgres_database, postgres_database
from tests.helpers import eventually, migrate_in_thread, published_call

PROJECT = Path(__file__).resolve().parents[2]


class PickyBus:
    """Refuses events of the first `refused` ids it sees (as RabbitMQ returns a mandatory event no queue takes)."""

    def __init__(self, refused: set[str]) -> None:
        self.refused = refused
        self.published: list[Envelope] = []

    def subscribe(self, subscription: Subscription) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def is_ready(self) -> bool:
        return True

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for envelope in envelopes:
            if str(envelope.id) in self.refused:
                results.append(BusUnavailable("unroutable: no queue is bound"))
            else:
                self.published.append(envelope)
                results.append(None)
        return results


class FlakyBus:
    """Confirms what it is told to; records everything it was asked to publish."""

    def __init__(self) -> None:
        self.published: list[Envelope] = []
        self.down = False

    def subscribe(self, subscription: Subscription) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def is_ready(self) -> bool:
        return not self.down

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        if self.down:
            return [BusUnavailable("broker down") for _ in envelopes]
        self.published.extend(envelopes)
        return [None for _ in envelopes]


async def test_relay_publishes_in_order_marks_and_retries_after_an_outage(tmp_path: Path, clock: MovableClock) -> None:
    definition = SERVICES["call_definition"]
    settings = definition.settings_class(data_dir=tmp_path)
    await migrate_in_thread(definition, settings.database_url)
    runtime = open_runtime(definition, settings, clock)
    bus = FlakyBus()
    relay = OutboxRelay(runtime.sessions, runtime.tables, bus, clock, batch_size=10)

    async with runtime.sessions() as session, session.begin():
        emitted = [
            await emit(
                session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock
            )
            for _ in range(3)
        ]
    bus.down = True
    assert await relay.relay_once() == (0, 3)
    async with runtime.sessions() as session:
        assert (await outbox_backlog(session, messaging))[0] == 3
        assert set((await session.execute(select(messaging.outbox.c.attempts))).scalars()) == {1}

    bus.down = False
    assert await relay.relay_once() == (3, 0)
    assert [e.id for e in bus.published] == [e.id for e in emitted]
    assert await relay.relay_once() == (0, 0)  # nothing published twice
    async with runtime.sessions() as session:
        assert (await outbox_backlog(session, messaging)) == (0, None)
    await runtime.engine.dispose()


async def test_a_rolled_back_transaction_leaves_no_event(tmp_path: Path, clock: MovableClock) -> None:
    definition = SERVICES["call_definition"]
    settings = definition.settings_class(data_dir=tmp_path)
    await migrate_in_thread(definition, settings.database_url)
    runtime = open_runtime(definition, settings, clock)
    async with runtime.sessions() as session:
        await emit(session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock)
        await session.rollback()
    async with runtime.sessions() as session:
        assert (await outbox_backlog(session, messaging))[0] == 0
    await runtime.engine.dispose()


async def test_events_the_bus_refuses_do_not_hold_back_later_ones(tmp_path: Path, clock: MovableClock) -> None:
    """A batch's worth of refused events at the head of the outbox (events no consumer is bound for yet) once
    blocked every event behind them: the relay takes the oldest rows first, and they never left."""
    definition = SERVICES["call_definition"]
    settings = definition.settings_class(data_dir=tmp_path)
    await migrate_in_thread(definition, settings.database_url)
    runtime = open_runtime(definition, settings, clock)
    async with runtime.sessions() as session, session.begin():
        emitted = [
            await emit(
                session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock
            )
            for _ in range(5)
        ]
    bus = PickyBus(refused={str(envelope.id) for envelope in emitted[:3]})
    relay = OutboxRelay(runtime.sessions, runtime.tables, bus, clock, batch_size=3)
    assert await relay.relay_once() == (0, 3)  # the three refused ones, oldest first
    assert await relay.relay_once() == (2, 1)  # then the fresh ones go first
    assert [envelope.id for envelope in bus.published] == [emitted[3].id, emitted[4].id]
    async with runtime.sessions() as session:
        assert (await outbox_backlog(session, runtime.tables))[0] == 3
    await runtime.engine.dispose()


async def _emit_one(runtime: Runtime, clock: MovableClock) -> Envelope:
    async with runtime.sessions() as session, session.begin():
        return await emit(
            session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock
        )


async def _call_definition(tmp_path: Path, clock: MovableClock, database_url: str | None = None) -> Runtime:
    definition = SERVICES["call_definition"]
    settings = definition.settings_class(data_dir=tmp_path, **({"database_url": database_url} if database_url else {}))
    await migrate_in_thread(definition, settings.database_url)
    return open_runtime(definition, settings, clock)


@contextlib.asynccontextmanager
async def running_relay(runtime: Runtime, bus: FlakyBus, clock: MovableClock, poll_s: float) -> AsyncIterator[None]:
    """The runtime's relay at work on `bus`, polling every `poll_s` seconds, until the block ends."""
    relay = OutboxRelay(runtime.sessions, runtime.tables, bus, clock, poll_interval_s=poll_s)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await running


async def test_a_commit_of_outbox_rows_is_published_at_once_not_at_the_next_poll(
    tmp_path: Path, clock: MovableClock
) -> None:
    """The relay polls once an hour here: only the signal of the commit can make it publish in time (the first
    event may come in its first pass; the next two are committed after a pass that found nothing more)."""
    runtime = await _call_definition(tmp_path, clock)
    bus = FlakyBus()
    async with running_relay(runtime, bus, clock, poll_s=3600):
        first = await _emit_one(runtime, clock)
        await eventually(lambda: [e.id for e in bus.published] == [first.id])
        second, third = await _emit_one(runtime, clock), await _emit_one(runtime, clock)
        await eventually(lambda: [e.id for e in bus.published] == [first.id, second.id, third.id])
    await runtime.engine.dispose()


async def test_rows_another_process_wrote_are_published_by_the_poll(tmp_path: Path, clock: MovableClock) -> None:
    """The API of the full stack writes outbox rows in one process, its worker's relay runs in another: no signal
    reaches the relay, its poll finds them."""
    runtime = await _call_definition(tmp_path, clock)
    bus = FlakyBus()
    writer = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from services.call_definition.models import messaging
        from services.registry import SERVICES
        from shared.clock import MovableClock
        from shared.events import CallPublished
        from shared.messaging.outbox import emit
        from shared.service import open_runtime
        from tests.helpers import NOW, published_call

        async def main() -> None:
            definition = SERVICES["call_definition"]
            clock = MovableClock(NOW)
            runtime = open_runtime(definition, definition.settings_class(data_dir=Path({str(tmp_path)!r})), clock)
            async with runtime.sessions() as session, session.begin():
                envelope = await emit(
                    session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock
                )
            await runtime.engine.dispose()
            print(envelope.id)

        asyncio.run(main())
        """
    )
    async with running_relay(runtime, bus, clock, poll_s=0.05):
        written = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", writer], cwd=PROJECT, capture_output=True, text=True, check=True
        )
        await eventually(lambda: [str(e.id) for e in bus.published] == [written.stdout.strip()], within=30)
    await runtime.engine.dispose()


async def test_the_signal_fires_after_a_commit_that_wrote_outbox_rows_only(tmp_path: Path, clock: MovableClock) -> None:
    runtime = await _call_definition(tmp_path, clock)
    other = open_runtime(SERVICES["call_definition"], runtime.settings, clock)  # the same database, another engine
    wake = asyncio.Event()
    OutboxCommits(runtime.engine, messaging.outbox).wake_on_commit(wake)

    async with runtime.sessions() as session:
        await emit(session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock)
        assert not wake.is_set()  # written, not committed: the relay would not see it
        await session.rollback()
    assert not wake.is_set()
    async with runtime.sessions() as session, session.begin():
        await session.execute(select(messaging.outbox.c.id))
    assert not wake.is_set()  # a commit without outbox rows
    await _emit_one(other, clock)
    assert not wake.is_set()  # another engine's commit: its own relay is told
    await _emit_one(runtime, clock)
    assert wake.is_set()
    wake.clear()
    async with runtime.sessions() as session:  # a rolled back write does not count at the next commit
        await emit(session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock)
        await session.rollback()
        await session.execute(select(messaging.outbox.c.id))
        await session.commit()
    assert not wake.is_set()
    await other.engine.dispose()
    await runtime.engine.dispose()


async def test_the_signal_sees_outbox_rows_written_in_a_cte_on_postgresql(tmp_path: Path, clock: MovableClock) -> None:
    """proposal_intake writes a submission's event in one statement with the proposal (a data-modifying CTE)."""
    url = await postgres_database("outbox_wake")
    try:
        runtime = await _call_definition(tmp_path, clock, url)
        wake = asyncio.Event()
        OutboxCommits(runtime.engine, messaging.outbox).wake_on_commit(wake)
        bus = FlakyBus()
        async with running_relay(runtime, bus, clock, poll_s=3600):
            first = await _emit_one(runtime, clock)
            await eventually(lambda: [e.id for e in bus.published] == [first.id])
            wake.clear()
            call = CallPublished(call=published_call(clock))
            envelope = outgoing_envelope(call, source="t", subject="s", clock=clock)
            event = messaging.outbox.insert().values(outbox_row(envelope)).cte("event")
            async with runtime.sessions() as session, session.begin():
                await session.execute(select(literal(1)).add_cte(event))
            assert wake.is_set()
            await eventually(lambda: [e.id for e in bus.published] == [first.id, envelope.id])
        await runtime.engine.dispose()
    finally:
        await drop_postgres_database(url)


@pytest.mark.parametrize("failures", [1, 3])
async def test_a_relay_that_failed_still_publishes_a_new_commit_at_once(
    tmp_path: Path, clock: MovableClock, failures: int
) -> None:
    """After the bus refused a pass, the relay's poll backs off (up to 10 s); a new commit does not wait for it."""
    runtime = await _call_definition(tmp_path, clock)
    bus = FlakyBus()
    bus.down = True

    async def refused_all() -> bool:
        async with runtime.sessions() as session:
            attempts = set((await session.execute(select(messaging.outbox.c.attempts))).scalars())
        return bool(attempts) and 0 not in attempts

    async with running_relay(runtime, bus, clock, poll_s=3600):
        first = await _emit_one(runtime, clock)
        for _ in range(failures - 1):
            await _emit_one(runtime, clock)
        await eventually(refused_all)
        bus.down = False
        last = await _emit_one(runtime, clock)
        await eventually(lambda: {e.id for e in bus.published} >= {first.id, last.id})
    await runtime.engine.dispose()
