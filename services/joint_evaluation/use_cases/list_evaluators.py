"""An agency lists the experts of a call, a page at a time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, key_after, window

from ..models import Evaluator
from ..repository import evaluators_of_call


async def list_evaluators(session: AsyncSession, *, call_id: str, cursor: str | None, limit: int) -> Window[Evaluator]:
    evaluators = await evaluators_of_call(session, call_id, after_id=key_after(cursor), limit=limit)
    return window(evaluators, limit, lambda evaluator: evaluator.id)
