"""An agency lists every call, drafts included, by recorded status, a page at a time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, key_after, window

from ..domain.lifecycle import CallStatus
from ..models import Call
from ..repository import list_all


async def list_calls(
    session: AsyncSession, *, status: CallStatus | None, cursor: str | None, limit: int
) -> Window[Call]:
    calls = await list_all(session, status=status.value if status else None, after_id=key_after(cursor), limit=limit)
    return window(calls, limit, lambda call: call.id)
