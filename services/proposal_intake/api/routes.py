"""Routes of proposal_intake: consortia submit; agencies and consortia read what they may."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from shared.clock import as_utc
from shared.errors import NotFound
from shared.http.auth import Principal, Role, require
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.service import DbSession, RuntimeDep

from ..models import Proposal
from ..repository import get_proposal, get_version, list_for_call
from ..use_cases.submit_proposal import submit_proposal
from .schemas import ProposalOut, ProposalSubmissionIn, ReceiptOut

router = APIRouter(tags=["proposals"])
Consortium = Annotated[Principal, Depends(require(Role.CONSORTIUM))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.CONSORTIUM))]


@router.post(
    "/calls/{call_id}/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    summary="Submit a proposal to an open call; the 201 receipt comes once it is durably stored",
)
async def post_proposal(
    call_id: uuid.UUID,
    body: ProposalSubmissionIn,
    session: DbSession,
    runtime: RuntimeDep,
    consortium: Consortium,
) -> ReceiptOut:
    version = await submit_proposal(session, runtime, consortium, str(call_id), body)
    return ReceiptOut(
        proposal_id=uuid.UUID(version.proposal_id),
        version=version.version,
        received_at=as_utc(version.submitted_at),
        content_sha256=version.content_sha256,
    )


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, summary="A proposal (its owner or an agency)")
async def get_one(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> ProposalOut:
    proposal = await get_proposal(session, str(proposal_id))
    if proposal is None or not _may_read(reader, proposal):
        raise NotFound(f"No proposal {proposal_id}.")
    return await _proposal_out(session, proposal)


@router.get(
    "/calls/{call_id}/proposals",
    response_model=Page[ProposalOut],
    summary="Proposals of a call: all for an agency, its own for a consortium",
)
async def get_for_call(
    call_id: uuid.UUID,
    session: DbSession,
    reader: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[ProposalOut]:
    after_id = str(decode_cursor(cursor, 1)[0]) if cursor else None
    applicant = reader.scope if reader.role is Role.CONSORTIUM else None
    proposals = await list_for_call(session, str(call_id), applicant_id=applicant, after_id=after_id, limit=limit)
    items = [await _proposal_out(session, proposal) for proposal in proposals]
    return Page[ProposalOut](
        items=items, next_cursor=encode_cursor(proposals[-1].id) if len(proposals) == limit else None
    )


def _may_read(reader: Principal, proposal: Proposal) -> bool:
    return reader.role is Role.AGENCY or proposal.applicant_id == reader.scope


async def _proposal_out(session: DbSession, proposal: Proposal) -> ProposalOut:
    version = await get_version(session, proposal.id, proposal.current_version)
    assert version is not None, "a proposal always has its current version"
    return ProposalOut(
        id=uuid.UUID(proposal.id),
        call_id=uuid.UUID(proposal.call_id),
        applicant_id=proposal.applicant_id,
        acronym=proposal.acronym,
        title=proposal.title,
        status=proposal.status,
        current_version=proposal.current_version,
        submitted_at=as_utc(version.submitted_at),
        content_sha256=version.content_sha256,
        content=version.content,
    )
