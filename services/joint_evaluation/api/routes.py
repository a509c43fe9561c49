"""Routes of joint_evaluation: proposals in evaluation, as an agency and as an evaluator see them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import Cursor, Limit
from shared.http.roles import Agency, Expert
from shared.pagination import Page
from shared.service import DbSession

from ..use_cases.list_entries import list_entries
from ..use_cases.list_my_proposals import list_my_proposals
from ..use_cases.read_proposal import read_proposal
from .presenters import entry_page, my_proposals_page, reading_out
from .schemas import EntryOut, MyProposalOut, ProposalOut

router = APIRouter(tags=["evaluation"], route_class=ExactJsonRoute)
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.EVALUATOR))]


@router.get(
    "/proposals/{proposal_id}",
    response_model=ProposalOut,
    summary="A proposal in evaluation: everything for an agency; for an assigned evaluator, the proposal and its "
    "own assessment (the others' scores once the consensus is final)",
)
async def get_one(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> ProposalOut:
    return reading_out(await read_proposal(session, reader=reader, proposal_id=str(proposal_id)))


@router.get("/calls/{call_id}/proposals", response_model=Page[EntryOut], summary="Proposals of a call (agency)")
async def get_for_call(
    call_id: uuid.UUID, session: DbSession, _: Agency, limit: Limit = 100, cursor: Cursor = None
) -> Page[EntryOut]:
    return entry_page(await list_entries(session, call_id=str(call_id), cursor=cursor, limit=limit))


@router.get(
    "/evaluators/me/proposals",
    response_model=Page[MyProposalOut],
    summary="The evaluator's assigned proposals, without those it is in conflict with",
)
async def get_my_proposals(
    session: DbSession, expert: Expert, limit: Limit = 100, cursor: Cursor = None
) -> Page[MyProposalOut]:
    return my_proposals_page(await list_my_proposals(session, expert=expert, cursor=cursor, limit=limit))
