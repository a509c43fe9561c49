"""The in-process bus keeps the broker's promises: durable, retried, parked, never blocked."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from shared.clock import MovableClock
from shared.errors import PermanentError
from shared.events import CallPublished, Envelope, make_envelope
from shared.messaging.bus import Subscription, Unroutable
from shared.messaging.inprocess import InProcessBus
from tests.helpers import eventually, published_call


def event(clock: MovableClock) -> Envelope:
    call = published_call(clock)
    return make_envelope(CallPublished(call=call), source="test", subject=str(call.call_id), clock=clock)


async def test_delivers_to_every_bound_queue(tmp_path: Path, clock: MovableClock) -> None:
    bus = InProcessBus(tmp_path / "bus.db", clock=clock, poll_interval_s=0.05)
    received: dict[str, list[Envelope]] = {"a": [], "b": []}

    async def on_a(e: Envelope) -> None:
        received["a"].append(e)

    async def on_b(e: Envelope) -> None:
        received["b"].append(e)

    bus.subscribe(Subscription("a", ("call.*",), on_a))
    bus.subscribe(Subscription("b", ("#",), on_b))
    await bus.start()
    message = event(clock)
    assert await bus.publish_batch([message]) == [None]
    await eventually(lambda: len(received["a"]) == 1 and len(received["b"]) == 1)
    await bus.close()


async def test_unroutable_event_is_an_error_not_a_silent_loss(tmp_path: Path, clock: MovableClock) -> None:
    bus = InProcessBus(tmp_path / "bus.db", clock=clock)

    async def ignore(_: Envelope) -> None:
        return None

    bus.subscribe(Subscription("a", ("proposal.*",), ignore))
    await bus.start()
    [result] = await bus.publish_batch([event(clock)])
    assert isinstance(result, Unroutable)
    await bus.close()


async def test_failing_handler_is_retried_then_parked_without_blocking_the_queue(
    tmp_path: Path, clock: MovableClock
) -> None:
    bus = InProcessBus(tmp_path / "bus.db", clock=clock, max_attempts=3, retry_delay_ms=1, poll_interval_s=0.02)
    attempts: list[str] = []
    handled: list[str] = []
    poison, good = event(clock), event(clock)

    async def handler(e: Envelope) -> None:
        if e.id == poison.id:
            attempts.append(str(e.id))
            raise RuntimeError("database says no")
        handled.append(str(e.id))

    bus.subscribe(Subscription("q", ("call.*",), handler))
    await bus.start()
    await bus.publish_batch([poison, good])
    await eventually(lambda: str(good.id) in handled)
    clock.advance(timedelta(seconds=1))
    for _ in range(5):
        clock.advance(timedelta(seconds=1))
        await asyncio.sleep(0.05)

    async def parked() -> bool:
        return len(await bus.dead_letters("q")) == 1

    await eventually(parked)
    [letter] = await bus.dead_letters("q")
    assert letter["attempts"] == 3
    assert "database says no" in str(letter["error"])
    assert (letter["message_id"], letter["event_type"]) == (str(poison.id), poison.type)
    assert len(attempts) == 3

    assert await bus.replay_dead_letters("q") == 1
    await eventually(lambda: len(attempts) == 4)
    await bus.close()


async def test_permanent_error_is_parked_at_once(tmp_path: Path, clock: MovableClock) -> None:
    bus = InProcessBus(tmp_path / "bus.db", clock=clock, max_attempts=5, poll_interval_s=0.02)
    calls: list[int] = []

    async def handler(_: Envelope) -> None:
        calls.append(1)
        raise PermanentError("not a call I can read")

    bus.subscribe(Subscription("q", ("call.*",), handler))
    await bus.start()
    await bus.publish_batch([event(clock)])

    async def parked() -> bool:
        return len(await bus.dead_letters("q")) == 1

    await eventually(parked)
    assert calls == [1]
    await bus.close()


async def test_published_messages_survive_a_restart(tmp_path: Path, clock: MovableClock) -> None:
    first = InProcessBus(tmp_path / "bus.db", clock=clock)
    received: list[Envelope] = []

    async def stuck(_: Envelope) -> None:
        await asyncio.sleep(3600)  # the process "dies" while handling

    first.subscribe(Subscription("q", ("call.*",), stuck))
    await first.start()
    message = event(clock)
    await first.publish_batch([message])
    await asyncio.sleep(0.1)
    await first.close()

    async def record(e: Envelope) -> None:
        received.append(e)

    second = InProcessBus(tmp_path / "bus.db", clock=clock, poll_interval_s=0.02)
    second.subscribe(Subscription("q", ("call.*",), record))
    await second.start()
    await eventually(lambda: [e.id for e in received] == [message.id])
    await second.close()


async def test_a_publish_wakes_its_consumer_and_a_retry_runs_when_due_not_at_the_next_poll(
    tmp_path: Path, clock: MovableClock
) -> None:
    """The consumer polls once an hour here: the publish must wake it, and it must wait for its retry's due time
    (the clock says 1 ms after the failure), not for the poll."""
    bus = InProcessBus(tmp_path / "bus.db", clock=clock, retry_delay_ms=1, poll_interval_s=3600)
    attempts: list[int] = []

    async def fails_once(_: Envelope) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the database is busy")

    bus.subscribe(Subscription("q", ("call.*",), fails_once))
    await bus.start()
    await bus.publish_batch([event(clock)])
    await eventually(lambda: len(attempts) >= 1)
    clock.advance(timedelta(milliseconds=5))  # the retry falls due
    await eventually(lambda: len(attempts) == 2)
    await bus.publish_batch([event(clock)])  # after the queue was found empty
    await eventually(lambda: len(attempts) == 3)
    await bus.close()
