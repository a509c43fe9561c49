"""A region lists its webhook subscriptions, oldest first, a page at a time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError, ValidationFailed
from shared.pagination import Window, decode_cursor, window

from ..domain.webhooks import SubscriptionStatus
from ..models import WebhookSubscription
from ..repository import region_subscriptions


async def list_subscriptions(
    session: AsyncSession, *, region: str, status: SubscriptionStatus | None, cursor: str | None, limit: int
) -> Window[WebhookSubscription]:
    after = _subscription_cursor(cursor) if cursor else None
    items = await region_subscriptions(
        session, region, status=status.value if status else None, after=after, limit=limit
    )
    return window(items, limit, lambda s: (s.created_at.isoformat(), s.id))


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
