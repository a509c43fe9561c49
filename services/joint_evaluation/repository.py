"""Queries of joint_evaluation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import EvaluationEntry


async def get_entry(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> EvaluationEntry | None:
    query = select(EvaluationEntry).where(EvaluationEntry.proposal_id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def entry_for_update(session: AsyncSession, proposal_id: str, call_id: str, now: datetime) -> EvaluationEntry:
    """The entry, created empty if neither of its events was seen yet."""
    entry = await get_entry(session, proposal_id, for_update=True)
    if entry is None:
        entry = EvaluationEntry(
            proposal_id=proposal_id,
            call_id=call_id,
            proposal_version=0,
            eligibility_version=0,
            eligibility="pending",
            eligibility_reasons=[],
            updated_at=now,
        )
        session.add(entry)
    return entry


async def entries_of_call(
    session: AsyncSession, call_id: str, *, after_id: str | None, limit: int
) -> list[EvaluationEntry]:
    query = select(EvaluationEntry).where(EvaluationEntry.call_id == call_id).order_by(EvaluationEntry.proposal_id)
    if after_id:
        query = query.where(EvaluationEntry.proposal_id > after_id)
    return list((await session.execute(query.limit(limit))).scalars())
