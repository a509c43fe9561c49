"""The pika bus against a real RabbitMQ: confirms, routing, retries, parking, reconnects, dedup."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.regional_eligibility.domain.checks import automatic_checks
from services.regional_eligibility.models import PartnerCheck, RegionEvent
from services.registry import SERVICES
from shared.clock import MovableClock, SystemClock
from shared.events import CallPublished, Envelope, make_envelope
from shared.messaging.bus import Subscription, Unroutable
from shared.messaging.rabbitmq import RabbitMQBus
from shared.service import open_runtime
from tests.helpers import (
    call_published_envelope,
    envelope_of,
    migrate_in_thread,
    proposal_body,
    published_call,
    submitted_event,
)
from tests.integration.conftest import RABBITMQ_URL, Stack

pytestmark = pytest.mark.integration


def new_bus(name: str, **options: int) -> RabbitMQBus:
    return RabbitMQBus(RABBITMQ_URL, exchange=f"jointcall.test.{name}", queue_prefix=f"jctest.{name}", **options)


async def recording_bus(name: str) -> tuple[RabbitMQBus, list[Envelope], Subscription]:
    """A started bus whose queue "q" takes the call.* events into the list returned (in arrival order)."""
    bus = new_bus(name)
    received: list[Envelope] = []

    async def handler(envelope: Envelope) -> None:
        received.append(envelope)

    subscription = Subscription("q", ("call.*",), handler)
    bus.subscribe(subscription)
    await bus.start()
    return bus, received, subscription


def call_event() -> Envelope:
    clock = SystemClock()
    call = published_call(MovableClock(clock.now()))
    return make_envelope(CallPublished(call=call), source="test", subject=str(call.call_id), clock=clock)


async def wait_for(condition: object, within: float = 15.0) -> None:
    for _ in range(int(within / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def name(infrastructure: None, queue_cleanup: list[str]) -> AsyncIterator[str]:
    unique = uuid.uuid4().hex[:8]
    queue_cleanup.extend([f"jctest.{unique}.q", f"exchange:jointcall.test.{unique}"])
    yield unique


async def test_publish_is_confirmed_and_delivered(name: str) -> None:
    bus, received, _ = await recording_bus(name)
    message = call_event()
    assert await bus.publish_batch([message]) == [None]
    await wait_for(lambda: [e.id for e in received] == [message.id])
    await bus.close()


async def test_unroutable_event_is_reported(name: str) -> None:
    bus = new_bus(name)

    async def handler(_: Envelope) -> None:
        return None

    bus.subscribe(Subscription("q", ("proposal.*",), handler))
    await bus.start()
    [result] = await bus.publish_batch([call_event()])
    assert isinstance(result, Unroutable)
    await bus.close()


@pytest.mark.parametrize("queue_type", ["classic", "quorum"])
async def test_failing_message_is_retried_then_parked_and_does_not_block_the_queue(name: str, queue_type: str) -> None:
    bus = RabbitMQBus(
        RABBITMQ_URL,
        exchange=f"jointcall.test.{name}",
        queue_prefix=f"jctest.{name}",
        queue_type=queue_type,
        max_attempts=3,
        retry_delay_ms=100,
    )
    attempts: list[int] = []
    handled: list[uuid.UUID] = []
    poison, good = call_event(), call_event()

    async def handler(envelope: Envelope) -> None:
        if envelope.id == poison.id:
            attempts.append(1)
            raise RuntimeError("cannot handle this one")
        handled.append(envelope.id)

    subscription = Subscription("q", ("call.*",), handler)
    bus.subscribe(subscription)
    await bus.start()
    await bus.publish_batch([poison, good])
    await wait_for(lambda: good.id in handled)
    await wait_for(lambda: len(attempts) == 3)
    await asyncio.sleep(0.3)
    assert len(attempts) == 3  # bounded: no fourth attempt
    assert await bus.dead_letter_count(subscription) == 1

    assert await bus.replay_dead_letters(subscription) == 1
    await wait_for(lambda: len(attempts) == 4)
    await bus.close()


async def test_reconnects_and_redeclares_after_the_connection_drops(name: str) -> None:
    bus, received, _ = await recording_bus(name)
    assert bus._connection is not None
    bus._connection.close()  # as if the broker went away
    await wait_for(lambda: not bus.is_ready())
    await wait_for(bus.is_ready)
    message = call_event()
    assert await bus.publish_batch([message]) == [None]
    await wait_for(lambda: [e.id for e in received] == [message.id])
    await bus.close()


async def test_a_message_delivered_twice_is_applied_once(stack: Stack) -> None:
    definition = SERVICES["regional_eligibility"]
    settings = definition.settings_class(database_url=stack.database_urls["regional_eligibility"])
    await migrate_in_thread(definition, settings.database_url)
    clock = SystemClock()
    runtime = open_runtime(definition, settings, clock)
    bus = RabbitMQBus(RABBITMQ_URL, exchange=stack.exchange, queue_prefix=stack.queue_prefix)
    for subscription in definition.subscriptions(runtime):
        bus.subscribe(subscription)
    await bus.start()

    # A call whose deadline has passed: a submission arriving now opens its checks at once.
    earlier = MovableClock(clock.now() - timedelta(days=31))
    call = published_call(earlier)
    submitted = submitted_event(call, proposal_body(), earlier)
    proposal = envelope_of(submitted, earlier)
    await bus.publish_batch([call_published_envelope(call, earlier)])
    await bus.publish_batch([proposal, proposal])  # the same message id twice

    async def feed_events() -> int:
        async with runtime.sessions() as session:
            return int((await session.execute(select(func.count()).select_from(RegionEvent))).scalar_one())

    for _ in range(200):
        if await feed_events() == 2:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # give a double application the time to show
    assert await feed_events() == 2  # checks.opened for Upper Austria and Fribourg, once each
    async with runtime.sessions() as session:
        checks = (await session.execute(select(func.count()).select_from(PartnerCheck))).scalar_one()
    assert call.configuration is not None
    assert checks == len(automatic_checks(call.configuration, submitted))
    await bus.close()
    await runtime.engine.dispose()
