"""Anyone lists the calls that are open or coming (published, not yet closed), a page at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, key_after, window

from ..models import Call
from ..repository import list_public


async def list_open_calls(session: AsyncSession, *, now: datetime, cursor: str | None, limit: int) -> Window[Call]:
    calls = await list_public(session, now=now, after_id=key_after(cursor), limit=limit)
    return window(calls, limit, lambda call: call.id)
