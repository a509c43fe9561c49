"""A region resumes a subscription the circuit suspended: its held deliveries go out again, in feed order."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime

from ..access import own_subscription
from ..domain.webhooks import DeliveryStatus, SubscriptionStatus, can_move
from ..errors import SubscriptionDeleted
from ..models import WebhookSubscription
from ..repository import get_subscription, move_deliveries


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
