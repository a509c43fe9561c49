"""A region reads its change feed (checks opened, withdrawals, outcomes) after the last event it has seen."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..models import RegionEvent
from ..repository import feed_after


async def read_feed(session: AsyncSession, *, region: str, after: int, limit: int) -> list[RegionEvent]:
    return await feed_after(session, region, after, limit)
