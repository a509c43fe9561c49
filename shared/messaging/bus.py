"""The bus interface both implementations honour: RabbitMQ (pika) and the in-process bus.

Semantics, identical for both: at-least-once delivery; publish returns only once the broker
has the message; a handler's success acks it; a failure is retried a bounded number of times
with a delay, then the message is parked in the queue's dead-letter store with the error.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Protocol

from pydantic import ValidationError

from shared.errors import PermanentError
from shared.events import Envelope
from shared.metrics import CONSUMER_LAG, HANDLER_FAILURES, MESSAGES_HANDLED, service_of

logger = logging.getLogger(__name__)

MessageHandler = Callable[[Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    queue: str  # e.g. "proposal_intake.calls"; the bus adds its prefix
    routing_keys: tuple[str, ...]  # topic patterns: "call.*", "proposal.submitted"
    handler: MessageHandler


class BusError(Exception):
    pass


class Unroutable(BusError):
    """No queue is bound for the event type: keep it in the outbox rather than lose it."""


class BusUnavailable(BusError):
    pass


class Bus(Protocol):
    def subscribe(self, subscription: Subscription) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish_batch(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        """Publish in order; one result per envelope: None once confirmed, else the error."""
        ...

    def is_ready(self) -> bool: ...

    async def dead_letter_count(self, subscription: Subscription) -> int: ...


class Outcome(Enum):
    ACK = "ack"
    RETRY = "retry"
    PARK = "park"


async def run_handler(
    handler: MessageHandler, envelope: Envelope, *, attempt: int, max_attempts: int, queue: str
) -> tuple[Outcome, str | None]:
    """Run one delivery and decide what the bus does with the message next."""
    outcome, error = await _attempt(handler, envelope, attempt=attempt, max_attempts=max_attempts, queue=queue)
    service = service_of(queue)
    MESSAGES_HANDLED.labels(service, queue, outcome.value).inc()
    if error is not None:
        HANDLER_FAILURES.labels(service, queue, envelope.type).inc()
    CONSUMER_LAG.labels(service, queue).observe(max(0.0, (datetime.now(UTC) - envelope.time).total_seconds()))
    return outcome, error


async def _attempt(
    handler: MessageHandler, envelope: Envelope, *, attempt: int, max_attempts: int, queue: str
) -> tuple[Outcome, str | None]:
    try:
        await handler(envelope)
    except (PermanentError, ValidationError) as exc:
        logger.error("message parked: permanent failure", extra=_log(envelope, queue), exc_info=True)
        return Outcome.PARK, f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if attempt >= max_attempts:
            logger.error("message parked after %d attempts", attempt, extra=_log(envelope, queue), exc_info=True)
            return Outcome.PARK, error
        logger.warning(
            "handler failed (attempt %d of %d): %s", attempt, max_attempts, error, extra=_log(envelope, queue)
        )
        return Outcome.RETRY, error
    return Outcome.ACK, None


def _log(envelope: Envelope, queue: str) -> dict[str, str]:
    return {"event_type": envelope.type, "event_id": str(envelope.id), "queue": queue}


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
