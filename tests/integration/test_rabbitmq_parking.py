"""Parking on a real RabbitMQ: unreadable messages, confirm numbering, and the operator's listing."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pika
import pytest
from prometheus_client import REGISTRY

from services.cli import main
from shared.errors import PermanentError
from shared.events import Envelope
from shared.messaging import rabbitmq
from shared.messaging.bus import Subscription
from shared.messaging.rabbitmq import RabbitMQBus
from tests.integration.conftest import RABBITMQ_URL
from tests.integration.test_rabbitmq_bus import call_event, new_bus, recording_bus, wait_for

pytestmark = pytest.mark.integration

UNREADABLE = b"{this is not JSON"


@pytest.fixture
async def name(infrastructure: None, queue_cleanup: list[str]) -> AsyncIterator[str]:
    unique = uuid.uuid4().hex[:8]
    queue_cleanup.extend(
        [f"jctest.{unique}.q", f"jctest.{unique}.proposal_intake.calls", f"exchange:jointcall.test.{unique}"]
    )
    yield unique


def send_raw(queue: str, body: bytes, **properties: Any) -> None:
    """What a foreign or broken producer might put on the queue (default exchange, straight to it)."""
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        connection.channel().basic_publish("", queue, body, pika.BasicProperties(**properties))
    finally:
        connection.close()


def peek(queue: str) -> list[tuple[Any, bytes]]:
    """(properties, body) of every message in the queue, left in it."""
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        seen = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=False)
            if method is None:
                return seen
            seen.append((properties, body))
    finally:
        connection.close()  # requeues them


def ready(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        return int(connection.channel().queue_declare(queue, passive=True).method.message_count)
    finally:
        connection.close()


async def started(bus: RabbitMQBus, handler: Any, queue: str = "q") -> Subscription:
    subscription = Subscription(queue, ("call.*",), handler)
    bus.subscribe(subscription)
    await bus.start()
    return subscription


async def test_an_unreadable_message_is_parked_and_the_next_publish_is_confirmed_at_once(name: str) -> None:
    bus, received, subscription = await recording_bus(name)
    queue = bus.queue_name(subscription)
    await asyncio.to_thread(send_raw, queue, UNREADABLE, message_id="foreign-1")

    async def parked() -> int:
        return await bus.dead_letter_count(subscription)

    for _ in range(300):
        if await parked() == 1:
            break
        await asyncio.sleep(0.05)
    assert await parked() == 1
    await asyncio.sleep(0.3)  # the broker's confirm of the parked copy has certainly arrived
    [(properties, body)] = await asyncio.to_thread(peek, f"{queue}.dead")
    assert body == UNREADABLE
    assert properties.message_id == "foreign-1"
    assert properties.headers["x-jointcall-error"].startswith("invalid envelope:")
    assert properties.headers["x-jointcall-queue"] == queue

    # The park was a publish on the confirm channel: it took a confirm number, so ours still match the
    # broker's and this publish is confirmed at once (not after the 30 s confirm timeout, or by another ack).
    message = call_event()
    assert await asyncio.wait_for(bus.publish_batch([message]), timeout=5) == [None]
    await wait_for(lambda: [e.id for e in received] == [message.id])
    assert await asyncio.wait_for(bus.publish_batch([call_event(), call_event()]), timeout=5) == [None, None]
    await wait_for(lambda: len(received) == 3)
    assert not bus._pending
    await bus.close()


async def test_an_unreadable_message_is_not_acked_before_its_parked_copy_is_confirmed(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = new_bus(name)

    async def handler(_: Envelope) -> None:
        return None

    subscription = await started(bus, handler)
    queue = bus.queue_name(subscription)
    # The broker never confirms the parked copy: here it never even gets it.
    monkeypatch.setattr(rabbitmq, "CONFIRM_TIMEOUT_S", 0.3)
    channel = bus._publish_channel
    assert channel is not None
    publish = channel.basic_publish

    def lose_parked_copies(exchange: str, routing_key: str, *args: Any, **kwargs: Any) -> None:
        if not routing_key.endswith(".dead"):
            publish(exchange, routing_key, *args, **kwargs)

    monkeypatch.setattr(channel, "basic_publish", lose_parked_copies)
    await asyncio.to_thread(send_raw, queue, UNREADABLE, message_id="foreign-2")
    await asyncio.sleep(1.5)  # several attempts to park it, each timing out
    await bus.close()
    assert await asyncio.to_thread(ready, f"{queue}.dead") == 0
    [(properties, body)] = await asyncio.to_thread(peek, queue)  # still on its queue, not lost
    assert (properties.message_id, body) == ("foreign-2", UNREADABLE)


async def test_listing_shows_the_parked_messages_and_leaves_them_parked(name: str) -> None:
    bus = new_bus(name)
    poison = call_event()

    async def handler(_: Envelope) -> None:
        raise PermanentError("no such region")

    subscription = await started(bus, handler)
    queue = bus.queue_name(subscription)
    assert await bus.publish_batch([poison]) == [None]
    await asyncio.to_thread(send_raw, queue, UNREADABLE, message_id="foreign-3")
    for _ in range(300):
        if await bus.dead_letter_count(subscription) == 2:
            break
        await asyncio.sleep(0.05)

    first = await bus.dead_letters(subscription)
    by_id = {letter["message_id"]: letter for letter in first}
    assert set(by_id) == {str(poison.id), "foreign-3"}
    assert by_id[str(poison.id)]["event_type"] == poison.type
    assert by_id[str(poison.id)]["attempts"] == 1
    assert "PermanentError: no such region" in str(by_id[str(poison.id)]["error"])
    assert str(by_id["foreign-3"]["error"]).startswith("invalid envelope:")
    assert all(letter["queue"] == f"{queue}.dead" and letter["parked_since"] for letter in first)

    # Nothing was consumed: listed again, the same messages in the same order, still counted.
    assert await bus.dead_letters(subscription) == first
    await wait_for(lambda: ready(f"{queue}.dead") == 2)
    # A replay moves the envelope back and keeps the unreadable one parked (replaying it would only park it).
    assert await bus.replay_dead_letters(subscription) == 1
    await wait_for(lambda: ready(f"{queue}.dead") == 2)  # the replayed one was parked again by its handler
    await bus.close()


async def test_the_cli_lists_a_services_parked_messages_on_rabbitmq(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bus = new_bus(name)
    poison = call_event()

    async def handler(_: Envelope) -> None:
        raise PermanentError("cannot copy this call")

    subscription = await started(bus, handler, queue="proposal_intake.calls")  # proposal_intake's queue
    assert await bus.publish_batch([poison]) == [None]
    dead = f"{bus.queue_name(subscription)}.dead"
    await wait_for(lambda: ready(dead) == 1)
    await bus.close()

    monkeypatch.setenv("JOINTCALL_RABBITMQ_URL", RABBITMQ_URL)
    monkeypatch.setenv("JOINTCALL_EXCHANGE", f"jointcall.test.{name}")
    monkeypatch.setenv("JOINTCALL_QUEUE_PREFIX", f"jctest.{name}")
    monkeypatch.setenv("JOINTCALL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINTCALL_PROPOSAL_INTAKE_DATABASE_URL", raising=False)
    await asyncio.to_thread(main, ["dead-letters", "list", "proposal_intake"])
    listing = capsys.readouterr().out.splitlines()  # a header line per queue of the service, then its messages
    start = listing.index(f"{dead}: 1 parked message(s)")
    lines = [line for line in listing[start + 1 :] if line.startswith("{")][:1]
    [letter] = [json.loads(line) for line in lines]
    assert letter["message_id"] == str(poison.id)
    assert letter["event_type"] == poison.type
    assert letter["attempts"] == 1
    assert "cannot copy this call" in letter["error"]
    await wait_for(lambda: ready(dead) == 1)  # still parked


async def test_a_parked_submission_is_counted_for_the_alert_the_moment_it_is_parked(name: str) -> None:
    """A proposal.submitted whose consumer keeps failing (as joint_evaluation's insert did on a NUL) runs out of
    attempts and is parked: jointcall_parked_messages_total{event_type="proposal.submitted.v1"} counts it at once,
    which is what JointcallSubmissionParked (deploy/base/prometheus-rules.yaml, critical) alerts on."""
    bus = new_bus(name, max_attempts=2, retry_delay_ms=50)
    attempts: list[int] = []

    async def failing_consumer(envelope: Envelope) -> None:
        attempts.append(1)
        raise RuntimeError('invalid byte sequence for encoding "UTF8": 0x00')

    submitted = call_event().model_copy(update={"type": "proposal.submitted.v1"})
    subscription = Subscription("q", ("proposal.submitted",), failing_consumer)
    bus.subscribe(subscription)
    await bus.start()
    labels = {"service": "q", "queue": "q", "event_type": "proposal.submitted.v1"}
    before = REGISTRY.get_sample_value("jointcall_parked_messages_total", labels) or 0.0
    try:
        assert await asyncio.wait_for(bus.publish_batch([submitted]), timeout=5) == [None]
        await wait_for(lambda: (REGISTRY.get_sample_value("jointcall_parked_messages_total", labels) or 0) > before)
        assert REGISTRY.get_sample_value("jointcall_parked_messages_total", labels) == before + 1
        assert len(attempts) == 2
        assert await bus.dead_letter_count(subscription) == 1
    finally:
        await bus.close()
