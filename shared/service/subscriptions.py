"""A service's queues: each message applied once (the inbox), and the local copy of the calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CALL_EVENTS, CallEvent, E, Envelope, parse_data
from shared.messaging.bus import Subscription
from shared.messaging.inbox import EventHandler, idempotent_handler
from shared.readmodel import upsert_call_copy

from .definition import Runtime


def idempotent_subscription(
    runtime: Runtime,
    queue: str,
    handlers: Mapping[str, EventHandler],
    routing_keys: tuple[str, ...] | None = None,
) -> Subscription:
    """A queue of this service whose messages are each applied once (inbox keyed by the queue)."""
    keys = routing_keys or tuple(handlers)
    handler = idempotent_handler(queue, handlers, runtime.sessions, runtime.tables, runtime.clock)
    return Subscription(queue=queue, routing_keys=keys, handler=handler)


def applying(
    runtime: Runtime, model: type[E], use_case: Callable[[AsyncSession, Runtime, E], Awaitable[object]]
) -> EventHandler:
    """The handler that hands an event's data, read as `model`, to the use case that applies it."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await use_case(session, runtime, parse_data(envelope, model))

    return handle


def call_copy_subscription(runtime: Runtime, call_copies: Table) -> Subscription:
    """Keep the service's local copy of the calls up to date from call.* events."""

    async def on_call_event(session: AsyncSession, envelope: Envelope) -> None:
        await upsert_call_copy(session, call_copies, parse_data(envelope, CallEvent).call, runtime.clock)

    handlers = {model.event_type.rsplit(".", 1)[0]: on_call_event for model in CALL_EVENTS}
    return idempotent_subscription(runtime, f"{runtime.name}.calls", handlers, routing_keys=("call.*",))
