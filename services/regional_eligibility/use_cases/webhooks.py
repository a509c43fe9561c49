"""Webhook subscriptions of regional back offices and the delivery of their feed events:
signed, in feed order per subscription, retried with exponential backoff, logged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime
from shared.webhooks import signed_headers

from ..models import RegionEvent, WebhookDelivery, WebhookSubscription
from ..repository import cancel_pending_deliveries, next_delivery, subscriptions_with_due_deliveries

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
MAX_BACKOFF_S = 3600


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... up to an hour between attempts."""
    return timedelta(seconds=min(2 ** (attempts - 1), MAX_BACKOFF_S))


async def subscribe(session: AsyncSession, runtime: Runtime, region: str, url: str, secret: str) -> WebhookSubscription:
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()), region_code=region, url=url, secret=secret, active=True, created_at=runtime.clock.now()
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def unsubscribe(session: AsyncSession, subscription: WebhookSubscription) -> None:
    """Nothing more is sent; what was still pending reads `cancelled` in the log, not pending forever."""
    subscription.active = False
    await cancel_pending_deliveries(session, subscription.id)


def event_body(event: RegionEvent) -> bytes:
    document = {
        "id": event.id,
        "type": event.type,
        "region": event.region_code,
        "proposal_id": event.proposal_id,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), default=str).encode()


async def deliver_due(runtime: Runtime, client: httpx.AsyncClient) -> int:
    """One pass: for each subscription with a due delivery, try its oldest pending event."""
    attempted = 0
    async with runtime.sessions() as session, session.begin():
        for subscription in await subscriptions_with_due_deliveries(session, runtime.clock.now()):
            delivery = await next_delivery(session, subscription.id)
            if delivery is None or delivery.next_attempt_at > runtime.clock.now():
                continue  # an earlier event is still backing off: order before speed
            await _attempt(session, runtime, client, subscription, delivery)
            attempted += 1
    return attempted


async def _attempt(
    session: AsyncSession,
    runtime: Runtime,
    client: httpx.AsyncClient,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
) -> None:
    event = await session.get(RegionEvent, delivery.event_id)
    assert event is not None
    body = event_body(event)
    now = runtime.clock.now()
    headers = signed_headers(subscription.secret, event.id, int(now.timestamp()), body)
    delivery.attempts += 1
    try:
        response = await client.post(subscription.url, content=body, headers=headers)
        delivery.last_status_code, delivery.last_error = response.status_code, None
        succeeded = 200 <= response.status_code < 300
    except httpx.HTTPError as exc:
        delivery.last_error, succeeded = f"{type(exc).__name__}: {exc}"[:2000], False
    if succeeded:
        delivery.status, delivery.delivered_at = "delivered", now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"  # the feed still has it; the log shows why
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)


async def deliver_webhooks(runtime: Runtime, stop: asyncio.Event, interval_s: float = 0.5) -> None:
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        while not stop.is_set():
            try:
                if await deliver_due(runtime, client):
                    continue
            except Exception:
                logger.exception("webhook delivery pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
