"""A region reads the delivery log of one of its subscriptions, newest event first."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, id_after, window

from ..access import own_subscription
from ..models import WebhookDelivery
from ..repository import deliveries_of


async def list_deliveries(
    session: AsyncSession, *, region: str, subscription_id: uuid.UUID, cursor: str | None, limit: int
) -> Window[WebhookDelivery]:
    """Newest event first; 404 for another region's subscription."""
    subscription = await own_subscription(session, region, subscription_id)
    items = await deliveries_of(session, subscription.id, before_event_id=id_after(cursor), limit=limit)
    return window(items, limit, lambda d: d.event_id)
