"""Routes of joint_evaluation (agency): where each proposal stands."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.clock import as_utc
from shared.errors import NotFound
from shared.http.auth import Principal, Role, require
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.service import DbSession

from ..domain.status import evaluation_status
from ..models import EvaluationEntry
from ..repository import entries_of_call, get_entry
from .schemas import EntryOut

router = APIRouter(tags=["evaluation"])
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]


@router.get("/proposals/{proposal_id}", response_model=EntryOut, summary="Where a proposal stands")
async def get_one(proposal_id: uuid.UUID, session: DbSession, _: Agency) -> EntryOut:
    entry = await get_entry(session, str(proposal_id))
    if entry is None:
        raise NotFound(f"No proposal {proposal_id} in evaluation.")
    return _entry_out(entry)


@router.get("/calls/{call_id}/proposals", response_model=Page[EntryOut], summary="Proposals of a call")
async def get_for_call(
    call_id: uuid.UUID,
    session: DbSession,
    _: Agency,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[EntryOut]:
    after_id = str(decode_cursor(cursor, 1)[0]) if cursor else None
    entries = await entries_of_call(session, str(call_id), after_id=after_id, limit=limit)
    return Page[EntryOut](
        items=[_entry_out(e) for e in entries],
        next_cursor=encode_cursor(entries[-1].proposal_id) if len(entries) == limit else None,
    )


def _entry_out(entry: EvaluationEntry) -> EntryOut:
    return EntryOut(
        proposal_id=uuid.UUID(entry.proposal_id),
        call_id=uuid.UUID(entry.call_id),
        proposal_version=entry.proposal_version,
        acronym=entry.acronym,
        title=entry.title,
        submitted_at=as_utc(entry.submitted_at) if entry.submitted_at else None,
        eligibility=entry.eligibility,
        eligibility_reasons=entry.eligibility_reasons,
        status=evaluation_status(entry.eligibility),
    )
