"""The delivery loop: sends what the feed queued for each subscription, outside any business transaction.

A pass records the attempts that ended since the last pass in one short transaction, and claims due deliveries
in another (the oldest pending event of each active subscription, at most as many as there are free slots);
each claimed delivery is POSTed by its own task with no transaction open. So a subscriber that accepts the
connection and never answers holds one slot of `webhooks_max_in_flight` until its timeout, never a lock a
write needs. One delivery per subscription is in
flight at a time: that is what keeps each subscriber's events in feed order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from shared.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_SUSPENDED, WEBHOOK_SUSPENSIONS, WEBHOOKS_IN_FLIGHT
from shared.service import Runtime
from shared.webhooks import Attempt, Outcome, Resolver, delivery_client, post_signed, signed_headers, system_resolver

from ..domain.webhooks import DeliveryStatus, RetryRules, SubscriptionStatus, after_attempt
from ..feed import event_body
from ..repository import (
    claim_due_deliveries,
    count_suspended_subscriptions,
    deliveries_by_id,
    events_by_id,
    move_deliveries,
    subscriptions_by_id,
)
from ..settings import settings_of

logger = logging.getLogger(__name__)
LEASE_MARGIN_S = 30.0  # beyond an attempt's deadline: time to record its result before another may take it
GAUGE_EVERY_S = 10.0
SHUTDOWN_GRACE_S = 1.0


@dataclass
class Sender:
    """What the loop delivers with: one HTTP client (no redirects, no proxies, no pooled connections), the
    address rules, the resolver (asked once per attempt), the retry rules and the jitter's source."""

    client: httpx.AsyncClient
    resolver: Resolver
    rules: RetryRules
    max_in_flight: int
    deadline_s: float
    jitter: Callable[[], float] = field(default=random.random)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.deadline_s + LEASE_MARGIN_S)


@asynccontextmanager
async def sender_for(runtime: Runtime, *, resolver: Resolver = system_resolver) -> AsyncIterator[Sender]:
    settings = settings_of(runtime)
    client = delivery_client(
        connect_timeout_s=settings.webhooks_connect_timeout_s,
        read_timeout_s=settings.webhooks_read_timeout_s,
        max_connections=settings.webhooks_max_in_flight,
    )
    rules = RetryRules(max_attempts=settings.webhooks_max_attempts, circuit_failures=settings.webhooks_circuit_failures)
    async with client:
        yield Sender(client, resolver, rules, settings.webhooks_max_in_flight, settings.webhook_deadline_s)


@dataclass(frozen=True)
class Claim:
    """One attempt, as claimed: everything it needs, so no session stays open while it runs."""

    delivery_id: int
    attempt: int
    subscription_id: str
    url: str
    secret: str
    event_id: int
    body: bytes
    signed_at: int


async def claim(runtime: Runtime, sender: Sender, limit: int) -> list[Claim]:
    """Take up to `limit` due deliveries: each counts its attempt and is leased until the attempt's deadline."""
    if limit <= 0:
        return []
    now = runtime.clock.now()
    async with runtime.sessions() as session, session.begin():
        deliveries = await claim_due_deliveries(session, now, limit)
        if not deliveries:
            return []
        events = await events_by_id(session, [d.event_id for d in deliveries])
        subscriptions = await subscriptions_by_id(session, [d.subscription_id for d in deliveries])
        claims = []
        for delivery in deliveries:
            delivery.attempts += 1
            delivery.next_attempt_at = now + sender.lease
            subscription = subscriptions[delivery.subscription_id]
            claims.append(
                Claim(
                    delivery_id=delivery.id,
                    attempt=delivery.attempts,
                    subscription_id=subscription.id,
                    url=subscription.url,
                    secret=subscription.secret,
                    event_id=delivery.event_id,
                    body=event_body(events[delivery.event_id]),
                    signed_at=int(now.timestamp()),
                )
            )
    return claims


async def attempt(runtime: Runtime, sender: Sender, claimed: Claim) -> Attempt:
    """POST one claimed delivery, with no transaction open."""
    settings = settings_of(runtime)
    headers = signed_headers(claimed.secret, claimed.event_id, claimed.signed_at, claimed.body)
    WEBHOOKS_IN_FLIGHT.labels(runtime.name).inc()
    try:
        result = await post_signed(
            sender.client,
            claimed.url,
            claimed.body,
            headers,
            policy=settings.webhook_policy,
            resolver=sender.resolver,
            deadline_s=sender.deadline_s,
        )
    finally:
        WEBHOOKS_IN_FLIGHT.labels(runtime.name).dec()
    WEBHOOK_ATTEMPTS.labels(runtime.name, result.outcome.value).inc()
    return result


async def record(runtime: Runtime, sender: Sender, results: list[tuple[Claim, Attempt]]) -> None:
    """The attempts' outcomes in the delivery log, the subscriptions' failure counts and the circuit, in one
    short transaction for the batch (one write however many subscribers timed out together). An attempt whose
    delivery moved on meanwhile (deleted or suspended subscription, a lease that ran out) changes nothing."""
    if not results:
        return
    now = runtime.clock.now()
    async with runtime.sessions() as session, session.begin():
        # Read everything first: on SQLite the write lock is then held only while the changes are flushed.
        subscriptions = await subscriptions_by_id(
            session, sorted({c.subscription_id for c, _ in results}), for_update=True
        )
        deliveries = await deliveries_by_id(session, sorted(c.delivery_id for c, _ in results))
        for claimed, result in sorted(results, key=lambda r: (r[0].subscription_id, r[0].event_id)):
            subscription = subscriptions.get(claimed.subscription_id)
            delivery = deliveries.get(claimed.delivery_id)
            if (
                subscription is None
                or delivery is None
                or delivery.status != DeliveryStatus.PENDING
                or delivery.attempts != claimed.attempt
            ):
                continue
            after = after_attempt(
                succeeded=result.outcome is Outcome.DELIVERED,
                attempts=delivery.attempts,
                consecutive_failures=subscription.consecutive_failures,
                jitter=sender.jitter(),
                rules=sender.rules,
            )
            delivery.last_outcome, delivery.last_status_code = result.outcome.value, result.status_code
            delivery.status = after.delivery.value
            if after.delivery is DeliveryStatus.DELIVERED:
                delivery.delivered_at = now
            delivery.next_attempt_at = now + after.retry_in if after.retry_in is not None else now
            subscription.consecutive_failures = after.consecutive_failures
            if after.suspend and subscription.status == SubscriptionStatus.ACTIVE:
                subscription.status, subscription.suspended_at = SubscriptionStatus.SUSPENDED.value, now
                await session.flush()
                # Every event still waiting is held, and reads `suspended` in the log, until the region resumes.
                await move_deliveries(session, subscription.id, DeliveryStatus.PENDING, DeliveryStatus.SUSPENDED)
                WEBHOOK_SUSPENSIONS.labels(runtime.name).inc()
                logger.warning(
                    "webhook subscription %s of %s suspended after %d failed attempts in a row",
                    subscription.id,
                    subscription.region_code,
                    after.consecutive_failures,
                )


async def deliver_due(runtime: Runtime, sender: Sender) -> int:
    """One pass, awaited to its end (what tests and a single-shot caller use): claim what is due, attempt
    each concurrently, record them. Returns how many were attempted."""
    claims = await claim(runtime, sender, sender.max_in_flight)
    results = await asyncio.gather(*(attempt(runtime, sender, c) for c in claims))
    await record(runtime, sender, list(zip(claims, results, strict=True)))
    return len(claims)


async def deliver_webhooks(
    runtime: Runtime, stop: asyncio.Event, *, resolver: Resolver = system_resolver, interval_s: float | None = None
) -> None:
    """The loop the worker (and the embedded runtime) runs. Each pass records the attempts that ended since the
    last one (one transaction), then claims into the free slots (another); attempts run as tasks meanwhile, so
    a slow subscriber holds its slot and nothing else. Refreshes the suspended-subscriptions gauge."""
    settings = settings_of(runtime)
    interval = interval_s if interval_s is not None else settings.webhooks_poll_interval_s
    in_flight: set[asyncio.Task[Attempt]] = set()
    ended: list[tuple[Claim, Attempt]] = []
    gauge_due = 0.0
    loop = asyncio.get_running_loop()
    async with sender_for(runtime, resolver=resolver) as sender:
        while not stop.is_set():
            try:
                batch, ended[:] = list(ended), []
                try:
                    await record(runtime, sender, batch)
                except Exception:
                    ended.extend(batch)  # again next pass (each attempt's count guards against a stale write)
                    raise
                for one in await claim(runtime, sender, sender.max_in_flight - len(in_flight)):
                    task = asyncio.create_task(attempt(runtime, sender, one), name=f"webhook:{one.delivery_id}")
                    in_flight.add(task)
                    task.add_done_callback(_finished(one, in_flight, ended))
                if loop.time() >= gauge_due:
                    async with runtime.sessions() as session:
                        WEBHOOK_SUSPENDED.labels(runtime.name).set(await count_suspended_subscriptions(session))
                    gauge_due = loop.time() + GAUGE_EVERY_S
            except Exception:
                logger.exception("webhook delivery pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
        if in_flight:  # a moment for answers about to come; then attempts still waiting on a receiver stop
            await asyncio.wait(set(in_flight), timeout=SHUTDOWN_GRACE_S)
        for task in list(in_flight):
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        with contextlib.suppress(Exception):
            await record(runtime, sender, ended)


def _finished(
    claimed: Claim, in_flight: set[asyncio.Task[Attempt]], ended: list[tuple[Claim, Attempt]]
) -> Callable[[asyncio.Task[Attempt]], None]:
    def done(task: asyncio.Task[Attempt]) -> None:
        in_flight.discard(task)
        if task.cancelled():
            return
        if task.exception() is not None:
            logger.error("webhook attempt failed", exc_info=task.exception())
            return
        ended.append((claimed, task.result()))

    return done
