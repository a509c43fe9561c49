"""The outbox relay publishes committed events in order and keeps what the bus did not confirm."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from services.call_definition.models import messaging
from services.registry import SERVICES
from shared.clock import MovableClock
from shared.events import CallPublished, Envelope
from shared.messaging.bus import BusUnavailable, Subscription
from shared.messaging.outbox import OutboxRelay, emit, outbox_backlog
from shared.service import open_runtime
from tests.helpers import migrate_in_thread, published_call


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
