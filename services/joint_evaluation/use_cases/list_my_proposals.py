"""An evaluator lists its assigned proposals, without those it is in conflict with, a page at a time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.pagination import Window, key_after, window

from ..access import call_config, evaluator_of, in_conflict
from ..models import Assessment, EvaluationEntry
from ..repository import assigned_to


async def list_my_proposals(
    session: AsyncSession, *, expert: Principal, cursor: str | None, limit: int
) -> Window[tuple[EvaluationEntry, Assessment | None]]:
    evaluator = await evaluator_of(session, expert)
    rows = await assigned_to(session, evaluator.id, after_id=key_after(cursor), limit=limit)
    config = await call_config(session, evaluator.call_id)
    page = window(rows, limit, lambda row: row[0].proposal_id)  # the cursor moves past the hidden ones too
    # Partners of a newer version may conflict.
    return Window([row for row in page.items if not in_conflict(evaluator, row[0], config)], page.next_cursor)
