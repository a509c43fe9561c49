"""Routes of joint_evaluation: proposals in evaluation, as an agency and as an evaluator see them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.pagination import Page, decode_key_cursor, encode_cursor
from shared.service import DbSession

from ..repository import assigned_to, entries_of_call, finalised_proposal_ids, pairs_of_proposals
from ..use_cases.access import call_config, entry_of, evaluator_of, in_conflict, proposal_for_evaluator
from ..use_cases.views import proposal_state
from .presenters import entry_out, for_agency, for_evaluator
from .schemas import EntryOut, MyProposalOut, ProposalOut

router = APIRouter(tags=["evaluation"], route_class=ExactJsonRoute)
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.EVALUATOR))]
Expert = Annotated[Principal, Depends(require(Role.EVALUATOR))]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/proposals/{proposal_id}",
    response_model=ProposalOut,
    summary="A proposal in evaluation: everything for an agency; for an assigned evaluator, the proposal and its "
    "own assessment (the others' scores once the consensus is final)",
)
async def get_one(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> ProposalOut:
    if reader.role is Role.EVALUATOR:
        entry, evaluator, _ = await proposal_for_evaluator(session, reader, str(proposal_id))
        return for_evaluator(await proposal_state(session, entry), evaluator.id)
    return for_agency(await proposal_state(session, await entry_of(session, str(proposal_id))))


@router.get("/calls/{call_id}/proposals", response_model=Page[EntryOut], summary="Proposals of a call (agency)")
async def get_for_call(
    call_id: uuid.UUID, session: DbSession, _: Agency, limit: Limit = 100, cursor: Cursor = None
) -> Page[EntryOut]:
    after_id = decode_key_cursor(cursor)[0] if cursor else None
    entries = await entries_of_call(session, str(call_id), after_id=after_id, limit=limit)
    assigned = {pair.proposal_id for pair in await pairs_of_proposals(session, [e.proposal_id for e in entries])}
    final = await finalised_proposal_ids(session, str(call_id))
    return Page[EntryOut](
        items=[entry_out(e, assigned=e.proposal_id in assigned, final=e.proposal_id in final) for e in entries],
        next_cursor=encode_cursor(entries[-1].proposal_id) if len(entries) == limit else None,
    )


@router.get(
    "/evaluators/me/proposals",
    response_model=Page[MyProposalOut],
    summary="The evaluator's assigned proposals, without those it is in conflict with",
)
async def get_my_proposals(
    session: DbSession, expert: Expert, limit: Limit = 100, cursor: Cursor = None
) -> Page[MyProposalOut]:
    evaluator = await evaluator_of(session, expert)
    after_id = decode_key_cursor(cursor)[0] if cursor else None
    rows = await assigned_to(session, evaluator.id, after_id=after_id, limit=limit)
    config = await call_config(session, evaluator.call_id)
    return Page[MyProposalOut](
        items=[
            MyProposalOut(
                proposal_id=uuid.UUID(entry.proposal_id),
                call_id=uuid.UUID(entry.call_id),
                acronym=entry.acronym,
                title=entry.title,
                assessment=assessment.status if assessment else "not_started",
            )
            for entry, assessment in rows
            if not in_conflict(evaluator, entry, config)  # partners of a newer version may conflict
        ],
        next_cursor=encode_cursor(rows[-1][0].proposal_id) if len(rows) == limit else None,
    )
