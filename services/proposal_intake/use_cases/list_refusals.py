"""The agency's view of refused submissions in a call: how many per rule, and each draft's last refusal."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.refusals import REFUSED, Refusal, RefusalSummary, summarise
from ..repository import refusal_records


async def list_refusals(session: AsyncSession, call_id: str) -> RefusalSummary:
    return summarise([Refusal.from_audit(at, after) for at, after in await refusal_records(session, call_id, REFUSED)])
