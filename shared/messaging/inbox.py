"""Idempotent consumer: the inbox row and the handler's changes commit together, or not at all."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import Clock
from shared.events import Envelope
from shared.logs import correlation_id_var
from shared.messaging.bus import MessageHandler
from shared.messaging.outbox import causation_id_var
from shared.messaging.tables import MessagingTables

logger = logging.getLogger(__name__)

EventHandler = Callable[[AsyncSession, Envelope], Awaitable[None]]


def idempotent_handler(
    consumer: str,
    handlers: Mapping[str, EventHandler],
    session_factory: async_sessionmaker[AsyncSession],
    tables: MessagingTables,
    clock: Clock,
) -> MessageHandler:
    """Wrap per-event-type handlers so that a redelivered message is applied exactly once.

    `handlers` is keyed by routing key (event type without version). The wrapper returns only
    after the commit, so the bus acks a message whose effects are durable.
    """

    async def handle(envelope: Envelope) -> None:
        handler = handlers.get(envelope.routing_key)
        if handler is None:
            logger.info("no handler for %s in %s: acknowledged", envelope.type, consumer)
            return
        correlation_token = correlation_id_var.set(envelope.correlationid)
        causation_token = causation_id_var.set(str(envelope.id))
        try:
            async with session_factory() as session, session.begin():
                if not await _record_in_inbox(session, tables, consumer, envelope, clock):
                    logger.info("duplicate %s %s skipped by %s", envelope.type, envelope.id, consumer)
                    return
                await handler(session, envelope)
        finally:
            causation_id_var.reset(causation_token)
            correlation_id_var.reset(correlation_token)

    return handle


async def _record_in_inbox(
    session: AsyncSession, tables: MessagingTables, consumer: str, envelope: Envelope, clock: Clock
) -> bool:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(tables.inbox)
        .values(consumer=consumer, message_id=str(envelope.id), event_type=envelope.type, received_at=clock.now())
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
