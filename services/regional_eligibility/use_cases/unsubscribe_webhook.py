"""A region stops one of its subscriptions (another region's is a 404, as if it did not exist)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ..access import own_subscription
from ..domain.webhooks import DeliveryStatus, SubscriptionStatus
from ..repository import get_subscription, move_deliveries


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
