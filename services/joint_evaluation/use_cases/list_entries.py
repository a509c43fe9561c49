"""An agency lists the proposals of a call in evaluation, with whether each is assigned and its consensus final."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, key_after, window

from ..models import EvaluationEntry
from ..repository import entries_of_call, finalised_proposal_ids, pairs_of_proposals


@dataclass(frozen=True)
class EntryList:
    entries: Window[EvaluationEntry]
    assigned: set[str]  # proposal ids with at least one evaluator
    final: set[str]  # proposal ids whose consensus is final


async def list_entries(session: AsyncSession, *, call_id: str, cursor: str | None, limit: int) -> EntryList:
    entries = await entries_of_call(session, call_id, after_id=key_after(cursor), limit=limit)
    assigned = {pair.proposal_id for pair in await pairs_of_proposals(session, [e.proposal_id for e in entries])}
    final = await finalised_proposal_ids(session, call_id)
    return EntryList(window(entries, limit, lambda entry: entry.proposal_id), assigned, final)
