"""The RabbitMQ bus, through pika's AsyncioConnection on the running event loop.

Topology (declared explicitly, again after every reconnect):
- one durable topic exchange; routing key = event type without version;
- per subscription `<prefix>.<queue>` bound to its keys, `<queue>.retry` whose TTL dead-letters
  messages back to the queue (delayed retry), and `<queue>.dead` where failed messages are parked
  with their error in the headers, for an operator to inspect and replay.

Publishing uses publisher confirms (bridged to futures) and `mandatory`, so an unroutable event
fails instead of vanishing. Consumers ack manually, after the handler committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pika
from pika.adapters.asyncio_connection import AsyncioConnection
from pika.channel import Channel
from pika.spec import Basic, BasicProperties

from shared.events import Envelope
from shared.messaging.bus import BusUnavailable, Outcome, Subscription, Unroutable, run_handler
from shared.metrics import count_parked

logger = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-jointcall-attempt"
ERROR_HEADER = "x-jointcall-error"
CONFIRM_TIMEOUT_S = 30.0


class RabbitMQBus:
    def __init__(
        self,
        url: str,
        *,
        exchange: str = "jointcall.events",
        queue_prefix: str = "jointcall",
        queue_type: str = "classic",
        prefetch: int = 16,
        max_attempts: int = 5,
        retry_delay_ms: int = 2000,
        heartbeat_s: int = 30,
    ) -> None:
        self._parameters = pika.URLParameters(url)
        self._parameters.heartbeat = heartbeat_s
        self._parameters.connection_attempts = 1
        self._exchange = exchange
        self._prefix = queue_prefix
        self._queue_type = queue_type
        self._prefetch = prefetch
        self._max_attempts = max_attempts
        self._retry_delay_ms = retry_delay_ms
        self._subscriptions: list[Subscription] = []
        self._connection: AsyncioConnection | None = None
        self._publish_channel: Channel | None = None
        self._consumer_channels: list[Channel] = []
        self._next_tag = 0
        self._pending: dict[int, asyncio.Future[None]] = {}
        self._returned: set[str] = set()
        self._tag_by_message: dict[str, int] = {}
        self._ready = asyncio.Event()
        self._closing = False
        self._supervisor: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._lost = asyncio.Event()

    # --- lifecycle ---------------------------------------------------------------------------

    def subscribe(self, subscription: Subscription) -> None:
        self._subscriptions.append(subscription)

    async def start(self, *, wait_s: float = 60.0, consume: bool = True) -> None:
        """Connect (retrying with backoff) and keep the connection up until close().

        consume=False declares and publishes only (operator commands must not steal deliveries).
        """
        self._supervisor = asyncio.create_task(self._supervise(consume), name="rabbitmq-supervisor")
        try:
            await asyncio.wait_for(self._ready.wait(), timeout=wait_s)
        except TimeoutError as exc:
            raise BusUnavailable(f"RabbitMQ not reachable within {wait_s:.0f} s") from exc

    async def declare_topology(self) -> None:
        """Connect once, declare exchange and queues, disconnect (used by `jointcall migrate`)."""
        await self._connect_and_declare(consume=False)
        await self._disconnect()

    async def close(self) -> None:
        self._closing = True
        if self._supervisor:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=10)
        await self._disconnect()

    def is_ready(self) -> bool:
        return self._ready.is_set()

    async def _supervise(self, consume: bool) -> None:
        backoff = 0.5
        while not self._closing:
            try:
                await self._connect_and_declare(consume=consume)
                backoff = 0.5
                self._ready.set()
                await self._lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("RabbitMQ connection failed: %s; retrying in %.1f s", exc, backoff)
            self._ready.clear()
            self._fail_pending(BusUnavailable("connection to RabbitMQ lost"))
            await self._disconnect()
            if self._closing:
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 15.0)

    async def _connect_and_declare(self, *, consume: bool) -> None:
        self._lost = asyncio.Event()
        self._connection = await self._open_connection()
        self._publish_channel = await self._open_channel()
        await _call(self._publish_channel.confirm_delivery, self._on_confirm)
        self._publish_channel.add_on_return_callback(self._on_return)
        self._next_tag = 0
        await _call(
            self._publish_channel.exchange_declare,
            exchange=self._exchange,
            exchange_type="topic",
            durable=True,
        )
        for subscription in self._subscriptions:
            await self._declare_queues(self._publish_channel, subscription)
        if consume:
            for subscription in self._subscriptions:
                await self._start_consumer(subscription)
        logger.info("RabbitMQ connected; %d queue(s) declared", len(self._subscriptions))

    async def _open_connection(self) -> AsyncioConnection:
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[AsyncioConnection] = loop.create_future()

        def on_open(connection: AsyncioConnection) -> None:
            if not opened.done():
                opened.set_result(connection)

        def on_open_error(_connection: AsyncioConnection, error: BaseException | str) -> None:
            if not opened.done():
                opened.set_exception(BusUnavailable(f"cannot connect to RabbitMQ: {error}"))

        def on_close(_connection: AsyncioConnection, reason: BaseException) -> None:
            if not opened.done():
                opened.set_exception(BusUnavailable(f"connection closed: {reason}"))
            if not self._closing:
                logger.warning("RabbitMQ connection closed: %s", reason)
            self._lost.set()

        AsyncioConnection(
            self._parameters,
            on_open_callback=on_open,
            on_open_error_callback=on_open_error,
            on_close_callback=on_close,
            custom_ioloop=loop,
        )
        return await asyncio.wait_for(opened, timeout=30)

    async def _open_channel(self, *, essential: bool = True) -> Channel:
        """A channel; closing an essential one (publishing, consuming) means starting over."""
        assert self._connection is not None
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[Channel] = loop.create_future()
        self._connection.channel(on_open_callback=opened.set_result)
        channel = await asyncio.wait_for(opened, timeout=30)
        if essential:
            channel.add_on_close_callback(self._on_channel_closed)
        return channel

    def _on_channel_closed(self, channel: Channel, reason: BaseException) -> None:
        if self._closing:
            return
        logger.warning("RabbitMQ channel %s closed: %s", channel.channel_number, reason)
        # A closed channel loses its confirms and deliveries: start over on a fresh connection.
        self._lost.set()

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        self._publish_channel = None
        self._consumer_channels = []
        if connection is None or connection.is_closed:
            return
        if not connection.is_closing:
            connection.close()
        for _ in range(100):
            if connection.is_closed:
                break
            await asyncio.sleep(0.05)

    # --- topology ----------------------------------------------------------------------------

    def queue_name(self, subscription: Subscription) -> str:
        return f"{self._prefix}.{subscription.queue}"

    async def _declare_queues(self, channel: Channel, subscription: Subscription) -> None:
        name = self.queue_name(subscription)
        kind = {"x-queue-type": self._queue_type}
        await _call(channel.queue_declare, queue=name, durable=True, arguments=dict(kind))
        await _call(
            channel.queue_declare,
            queue=f"{name}.retry",
            durable=True,
            arguments={
                **kind,
                "x-message-ttl": self._retry_delay_ms,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": name,
            },
        )
        await _call(channel.queue_declare, queue=f"{name}.dead", durable=True, arguments=dict(kind))
        for key in subscription.routing_keys:
            await _call(channel.queue_bind, queue=name, exchange=self._exchange, routing_key=key)

    async def _start_consumer(self, subscription: Subscription) -> None:
        channel = await self._open_channel()
        await _call(channel.basic_qos, prefetch_count=self._prefetch)
        self._consumer_channels.append(channel)

        def on_message(ch: Channel, method: Basic.Deliver, properties: BasicProperties, body: bytes) -> None:
            task = asyncio.create_task(self._deliver(ch, method, properties, body, subscription))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

        channel.basic_consume(queue=self.queue_name(subscription), on_message_callback=on_message, auto_ack=False)

    # --- publishing --------------------------------------------------------------------------

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        futures = [
            self._publish_raw(
                self._exchange,
                envelope.routing_key,
                envelope.model_dump_json().encode(),
                envelope,
                headers={},
                mandatory=True,
            )
            for envelope in envelopes
        ]
        results = await asyncio.gather(*futures, return_exceptions=True)
        return [result if isinstance(result, BaseException) else None for result in results]

    async def _publish_raw(
        self,
        exchange: str,
        routing_key: str,
        body: bytes,
        envelope: Envelope,
        *,
        headers: dict[str, Any],
        mandatory: bool,
    ) -> None:
        properties = BasicProperties(
            message_id=str(envelope.id),
            type=envelope.type,
            content_type="application/json",
            delivery_mode=2,
            correlation_id=envelope.correlationid,
            app_id=envelope.source,
            timestamp=int(envelope.time.timestamp()),
            headers=headers,
        )
        await self._publish(exchange, routing_key, body, properties, mandatory=mandatory)

    async def _publish(
        self, exchange: str, routing_key: str, body: bytes, properties: BasicProperties, *, mandatory: bool
    ) -> None:
        """Publish on the confirm channel and wait for the broker's ack: the bus's only basic_publish.

        In confirm mode the broker numbers *every* publish on the channel, 1, 2, 3, ... from Confirm.Select,
        whatever its exchange or flags, and its acks and nacks carry that number. So each publish must take
        the next tag here, in the order of the basic_publish calls (this method does not yield between the
        two); one untracked publish would shift all later confirms onto the wrong futures.
        """
        channel = self._publish_channel
        if channel is None or not channel.is_open:
            raise BusUnavailable("not connected to RabbitMQ")
        message_id = properties.message_id
        if mandatory and not message_id:
            raise ValueError("a mandatory publish needs a message id (a return is matched to it by that id)")
        self._next_tag += 1
        tag = self._next_tag
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[tag] = future
        if mandatory:
            self._tag_by_message[message_id] = tag
        channel.basic_publish(exchange, routing_key, body, properties, mandatory=mandatory)
        try:
            await asyncio.wait_for(future, timeout=CONFIRM_TIMEOUT_S)
        finally:
            self._pending.pop(tag, None)
            if mandatory and self._tag_by_message.get(message_id) == tag:
                del self._tag_by_message[message_id]

    def _on_return(self, _channel: Channel, _method: Basic.Return, properties: BasicProperties, _body: bytes) -> None:
        # The return arrives before the ack of the same message: remember it for the ack.
        if properties.message_id:
            self._returned.add(properties.message_id)

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        acked = isinstance(method, Basic.Ack)
        tags = [t for t in self._pending if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        returned_tags = {self._tag_by_message.get(m) for m in self._returned}
        for tag in tags:
            future = self._pending.get(tag)
            if future is None or future.done():
                continue
            if not acked:
                future.set_exception(BusUnavailable("the broker refused the message (nack)"))
            elif tag in returned_tags:
                future.set_exception(Unroutable("no queue is bound for this event type"))
            else:
                future.set_result(None)
        self._returned = {m for m in self._returned if self._tag_by_message.get(m) not in tags}

    def _fail_pending(self, error: BaseException) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()
        self._returned.clear()
        self._tag_by_message.clear()

    # --- consuming ---------------------------------------------------------------------------

    async def _deliver(
        self,
        channel: Channel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
        subscription: Subscription,
    ) -> None:
        queue = self.queue_name(subscription)
        headers = dict(properties.headers or {})
        attempt = int(headers.get(ATTEMPT_HEADER, 1))
        try:
            envelope = Envelope.model_validate_json(body)
        except ValueError as exc:
            if await self._park_raw(channel, method, properties, body, queue, f"invalid envelope: {exc}"):
                count_parked(subscription.queue, "unreadable")
            return
        outcome, error = await run_handler(  # metrics label queues without the prefix, as everywhere
            subscription.handler, envelope, attempt=attempt, max_attempts=self._max_attempts, queue=subscription.queue
        )
        try:
            if outcome is Outcome.RETRY:
                await self._publish_raw(
                    "",
                    f"{queue}.retry",
                    body,
                    envelope,
                    headers={**headers, ATTEMPT_HEADER: attempt + 1, ERROR_HEADER: error},
                    mandatory=False,
                )
            elif outcome is Outcome.PARK:
                await self._publish_raw(
                    "",
                    f"{queue}.dead",
                    body,
                    envelope,
                    headers=_parked_headers(headers, attempt, error, queue),
                    mandatory=False,
                )
                count_parked(subscription.queue, envelope.type)
        except Exception as exc:
            # Could not move it: leave it unacked, the broker redelivers it (the inbox dedups).
            logger.warning("could not re-route message %s: %s", envelope.id, exc)
            _settle(channel, lambda: channel.basic_nack(method.delivery_tag, requeue=True))
            return
        _settle(channel, lambda: channel.basic_ack(method.delivery_tag))

    async def _park_raw(
        self,
        channel: Channel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
        queue: str,
        error: str,
    ) -> bool:
        """Park a message that is not an envelope, as it came; ack it only once the parked copy is confirmed.
        False if it could not be parked (yet): the broker redelivers it."""
        logger.error("parking unreadable message on %s: %s", queue, error)
        parked = copy.copy(properties)
        parked.headers = _parked_headers(dict(properties.headers or {}), 1, error, queue)
        parked.delivery_mode = 2
        try:
            await self._publish("", f"{queue}.dead", body, parked, mandatory=False)
        except Exception as exc:
            # Not parked (yet): leave it to the broker, which redelivers it, and we try again.
            logger.warning("could not park unreadable message on %s: %s", queue, exc)
            _settle(channel, lambda: channel.basic_nack(method.delivery_tag, requeue=True))
            return False
        _settle(channel, lambda: channel.basic_ack(method.delivery_tag))
        return True

    # --- operator's view of the dead letters -----------------------------------------------

    async def dead_letter_count(self, subscription: Subscription) -> int:
        channel = await self._open_channel(essential=False)
        try:
            frame = await _call(channel.queue_declare, queue=f"{self.queue_name(subscription)}.dead", passive=True)
            return int(frame.method.message_count)
        finally:
            channel.close()

    async def dead_letters(self, subscription: Subscription, limit: int = 1000) -> list[dict[str, object]]:
        """The parked messages (up to `limit`, oldest first), described; they stay parked. Needs a started bus.

        Read without consuming: basic_get each message *without* ack, keeping all of them unacked on this
        one channel (an unacked message is not handed out again, so each is read once), then nack them all
        with requeue: the broker puts them back where they were. Nothing is republished, so nothing can be
        duplicated or lost, and if this process dies half-way the broker requeues them itself when the
        channel goes. Meanwhile a replay does not see them. (A requeue counts as a delivery on quorum queues;
        the delivery-limit policy leaves the `.dead` queues out.)
        """
        channel = await self._open_channel(essential=False)
        queue = f"{self.queue_name(subscription)}.dead"
        letters: list[dict[str, object]] = []
        last_tag: int | None = None
        try:
            for _ in range(limit):
                method, properties, body = await _get(channel, queue)
                if method is None:
                    break
                last_tag = method.delivery_tag
                letters.append(_describe_parked(queue, properties, body))
        finally:
            if channel.is_open:
                if last_tag is not None:
                    channel.basic_nack(last_tag, multiple=True, requeue=True)
                channel.close()
        return letters

    async def replay_dead_letters(self, subscription: Subscription, limit: int = 10_000) -> int:
        """Move parked messages back to their queue, attempt counter reset. Needs a started bus.

        Only the messages parked when it starts: one that fails again while the replay runs is parked
        behind them, and is not fetched and replayed over and over. A parked message that is no envelope
        at all stays parked: replaying it would only park it again.
        """
        parked = await self.dead_letter_count(subscription)
        channel = await self._open_channel(essential=False)
        queue = self.queue_name(subscription)
        moved = 0
        try:
            for _ in range(min(limit, parked)):
                method, properties, body = await _get(channel, f"{queue}.dead")
                if method is None:
                    break
                try:
                    envelope = Envelope.model_validate_json(body)
                except ValueError:
                    # Left unacked until the channel closes (so not fetched again now), then back in .dead.
                    logger.warning("not replaying unreadable message %s of %s.dead", properties.message_id, queue)
                    continue
                headers = {k: v for k, v in (properties.headers or {}).items() if not k.startswith("x-jointcall")}
                await self._publish_raw("", queue, body, envelope, headers=headers, mandatory=False)
                channel.basic_ack(method.delivery_tag)
                moved += 1
        finally:
            channel.close()
        return moved


def _describe_parked(queue: str, properties: BasicProperties, body: bytes) -> dict[str, object]:
    headers = properties.headers or {}
    event_type, message_id = properties.type, properties.message_id
    if not (event_type and message_id):  # e.g. an unreadable message published without properties
        with contextlib.suppress(ValueError):
            document = json.loads(body)
            if isinstance(document, dict):
                event_type = event_type or document.get("type")
                message_id = message_id or document.get("id")
    return {
        "queue": queue,
        "message_id": _text(message_id),
        "event_type": _text(event_type),
        "attempts": headers.get(ATTEMPT_HEADER),
        "error": _text(headers.get(ERROR_HEADER)),
        "parked_since": _text(headers.get("x-jointcall-parked-at")),
    }


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _parked_headers(headers: dict[str, Any], attempt: int, error: str | None, queue: str) -> dict[str, Any]:
    return {
        **headers,
        ATTEMPT_HEADER: attempt,
        ERROR_HEADER: (error or "")[:2000],
        "x-jointcall-queue": queue,
        "x-jointcall-parked-at": datetime.now(UTC).isoformat(),
    }


def _settle(channel: Channel, action: Callable[[], None]) -> None:
    # An ack must go on the channel that delivered; if that channel is gone, the broker
    # redelivers the message on the next connection, and the inbox skips it.
    if channel.is_open:
        action()


async def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a pika method that reports completion through `callback`, as an awaitable."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def done(result: Any = None) -> None:
        if not future.done():
            future.set_result(result)

    method(*args, callback=done, **kwargs)
    return await asyncio.wait_for(future, timeout=30)


async def _get(channel: Channel, queue: str) -> tuple[Any, Any, bytes]:
    future: asyncio.Future[tuple[Any, Any, bytes]] = asyncio.get_running_loop().create_future()

    def on_get(_ch: Channel, method: Any, properties: Any, body: bytes) -> None:
        future.set_result((method, properties, body))

    def on_empty(_frame: Any) -> None:
        if not future.done():
            future.set_result((None, None, b""))

    channel.basic_get(queue, on_get, auto_ack=False)
    channel.add_callback(on_empty, [pika.spec.Basic.GetEmpty], one_shot=True)
    return await asyncio.wait_for(future, timeout=30)
