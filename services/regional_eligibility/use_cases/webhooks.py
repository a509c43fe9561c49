"""A region's webhook subscriptions: subscribe (within the region's cap, to a URL the rules allow), read
them and their delivery log, resume one the circuit suspended, delete one. A region sees only its own:
another region's subscription is a 404, as if it did not exist."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, NotFound, ValidationFailed
from shared.pagination import decode_cursor, decode_id_cursor, encode_cursor
from shared.service import Runtime
from shared.webhooks import Outcome, Resolver, UrlRefused, check_url, literal_address, permitted_addresses

from ..domain.webhooks import DeliveryStatus, SubscriptionStatus, can_move
from ..errors import SubscriptionDeleted, SubscriptionLimitReached, WebhookUrlRefused
from ..models import RegionEvent, WebhookDelivery, WebhookSubscription
from ..repository import (
    count_live_subscriptions,
    deliveries_of,
    get_subscription,
    move_deliveries,
    region_subscriptions,
)
from ..settings import Settings

REGISTRATION_LOOKUP_S = 2.0


def settings_of(runtime: Runtime) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings), type(settings)
    return settings


async def subscribe(
    session: AsyncSession, runtime: Runtime, *, region: str, url: str, secret: str, resolver: Resolver
) -> WebhookSubscription:
    """422 naming `url` for a URL the rules refuse; 409 once the region has its cap of live subscriptions."""
    settings = settings_of(runtime)
    await refuse_url(url, settings, resolver)
    if await count_live_subscriptions(session, region) >= settings.webhooks_max_per_region:
        raise SubscriptionLimitReached(
            f"Region {region} already has {settings.webhooks_max_per_region} webhook subscriptions, as many as it "
            "may (JOINTCALL_WEBHOOKS_MAX_PER_REGION): delete one first.",
            extra={"limit": settings.webhooks_max_per_region},
        )
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()),
        region_code=region,
        url=url,
        secret=secret,
        status=SubscriptionStatus.ACTIVE.value,
        consecutive_failures=0,
        suspended_at=None,
        created_at=runtime.clock.now(),
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def refuse_url(url: str, settings: Settings, resolver: Resolver) -> None:
    """The rules at registration: https, no userinfo, no literal address that is not globally routable; a name
    that resolves now to such an address is refused too. Delivery checks again (DNS may answer otherwise)."""
    policy = settings.webhook_policy
    try:
        host, port = check_url(url, policy)
        if literal_address(host) is None:
            try:
                async with asyncio.timeout(REGISTRATION_LOOKUP_S):
                    answers = await resolver(host, port)
            except (OSError, TimeoutError, UnicodeError):
                return  # not resolvable now: its delivery log will say `unreachable`
            permitted_addresses(host, answers, policy)
    except UrlRefused as refused:
        if refused.outcome is not Outcome.UNREACHABLE:
            raise WebhookUrlRefused(refused.reason) from None


async def own_subscription(session: AsyncSession, region: str, subscription_id: uuid.UUID) -> WebhookSubscription:
    subscription = await get_subscription(session, str(subscription_id))
    if subscription is None or subscription.region_code != region:
        raise NotFound(f"No webhook subscription {subscription_id} for region {region}.")
    return subscription


async def unsubscribe(session: AsyncSession, *, region: str, subscription_id: uuid.UUID) -> None:
    """Nothing more is sent; what was still pending (or held) reads `cancelled` in the log. Deleting twice is
    no error."""
    subscription = await own_subscription(session, region, subscription_id)
    subscription = await get_subscription(session, subscription.id, for_update=True) or subscription
    if subscription.status == SubscriptionStatus.DELETED:
        return
    subscription.status = SubscriptionStatus.DELETED.value
    await move_deliveries(session, subscription.id, DeliveryStatus.PENDING, DeliveryStatus.CANCELLED)
    await move_deliveries(session, subscription.id, DeliveryStatus.SUSPENDED, DeliveryStatus.CANCELLED)


async def resume(
    session: AsyncSession, runtime: Runtime, *, region: str, subscription_id: uuid.UUID
) -> WebhookSubscription:
    """A suspended subscription is active again, its held deliveries due at once (in feed order) and its
    failure count at zero; an active one stays as it is; a deleted one is a 409."""
    subscription = await own_subscription(session, region, subscription_id)
    subscription = await get_subscription(session, subscription.id, for_update=True) or subscription
    current = SubscriptionStatus(subscription.status)
    if current is SubscriptionStatus.ACTIVE:
        return subscription
    if not can_move(current, SubscriptionStatus.ACTIVE):
        raise SubscriptionDeleted(f"Webhook subscription {subscription.id} was deleted: subscribe again instead.")
    subscription.status, subscription.consecutive_failures, subscription.suspended_at = (
        SubscriptionStatus.ACTIVE.value,
        0,
        None,
    )
    await move_deliveries(
        session,
        subscription.id,
        DeliveryStatus.SUSPENDED,
        DeliveryStatus.PENDING,
        next_attempt_at=runtime.clock.now(),
    )
    await session.flush()
    return subscription


@dataclass(frozen=True)
class SubscriptionPage:
    items: list[WebhookSubscription]
    next_cursor: str | None


async def list_subscriptions(
    session: AsyncSession, *, region: str, status: SubscriptionStatus | None, cursor: str | None, limit: int
) -> SubscriptionPage:
    after = _subscription_cursor(cursor) if cursor else None
    items = await region_subscriptions(
        session, region, status=status.value if status else None, after=after, limit=limit
    )
    last = items[-1] if len(items) == limit else None
    return SubscriptionPage(items, encode_cursor(last.created_at.isoformat(), last.id) if last else None)


def _subscription_cursor(cursor: str) -> tuple[datetime, str]:
    created_at, subscription_id = decode_cursor(cursor, 2)
    try:
        if not isinstance(created_at, str) or not isinstance(subscription_id, str):
            raise ValueError("wrong types")
        at = datetime.fromisoformat(created_at)
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, str(uuid.UUID(subscription_id))
    except ValueError as exc:
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            errors=[FieldError(field="cursor", message="invalid cursor", location="query")],
        ) from exc


@dataclass(frozen=True)
class DeliveryPage:
    items: list[WebhookDelivery]
    next_cursor: str | None


async def delivery_log(
    session: AsyncSession, *, region: str, subscription_id: uuid.UUID, cursor: str | None, limit: int
) -> DeliveryPage:
    """Newest event first; 404 for another region's subscription."""
    subscription = await own_subscription(session, region, subscription_id)
    before = decode_id_cursor(cursor) if cursor else None
    items = await deliveries_of(session, subscription.id, before_event_id=before, limit=limit)
    return DeliveryPage(items, encode_cursor(items[-1].event_id) if len(items) == limit else None)


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
