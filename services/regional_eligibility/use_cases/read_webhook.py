"""A region reads one of its subscriptions (another region's is a 404, as if it did not exist)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ..access import own_subscription
from ..models import WebhookSubscription


async def read_webhook(session: AsyncSession, *, region: str, subscription_id: uuid.UUID) -> WebhookSubscription:
    return await own_subscription(session, region, subscription_id)
