"""Who may see or decide what in regional_eligibility: a region only its own partners, checks and
subscriptions, the agency the consortium-level checks. What is not the caller's is a 404, as if it did not
exist. Used by the use cases' first lines."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal, Role

from .domain.checks import CONSORTIUM
from .models import WebhookSubscription
from .repository import get_subscription


def decides(officer: Principal, region_code: str) -> bool:
    """Who decides a check: the agency the consortium-level ones, a region only its own."""
    if region_code == CONSORTIUM:
        return officer.role is Role.AGENCY
    return officer.role is Role.REGION and officer.scope == region_code


async def own_subscription(session: AsyncSession, region: str, subscription_id: uuid.UUID) -> WebhookSubscription:
    subscription = await get_subscription(session, str(subscription_id))
    if subscription is None or subscription.region_code != region:
        raise NotFound(f"No webhook subscription {subscription_id} for region {region}.")
    return subscription
