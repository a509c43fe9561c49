"""Routes of proposal_intake: consortia draft, pre-check, submit and withdraw; agencies read all;
a region reads the partners of its own region."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from shared.call_backfill import NOT_YET_KNOWN_RESPONSE, fetcher_for
from shared.errors import ServiceError
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import LongCursor, SmallLimit
from shared.http.roles import AgencyOrConsortium, Consortium, Region
from shared.pagination import Page
from shared.proposals import ProposalDraft
from shared.service import DbSession, RuntimeDep

from ..backfill import with_call_known
from ..domain.requirements import SubmissionRequirements
from ..models import Proposal
from ..refusals import is_refusal, record_refusal
from ..unit_of_work import separate_unit_of_work
from ..use_cases.create_draft import create_draft
from ..use_cases.list_proposals import list_proposals
from ..use_cases.list_region_partners import list_region_partners
from ..use_cases.list_versions import list_versions
from ..use_cases.precheck_proposal import precheck_proposal
from ..use_cases.read_invitation import read_invitation
from ..use_cases.read_proposal import read_proposal
from ..use_cases.read_requirements import read_requirements
from ..use_cases.start_full_proposal import start_full_proposal
from ..use_cases.submit_proposal import submit_proposal
from ..use_cases.update_draft import update_draft
from ..use_cases.withdraw_proposal import withdraw_proposal
from .dependencies import Calls
from .presenters import (
    invitation_out,
    precheck_response,
    proposal_out,
    proposal_page,
    receipt_out,
    region_partner_page,
    versions_out,
)
from .schemas import (
    InvitationOut,
    PrecheckOut,
    ProposalOut,
    ReceiptOut,
    RegionPartnerOut,
    VersionOut,
    WithdrawalIn,
)

router = APIRouter(tags=["proposals"], route_class=ExactJsonRoute)
Reader = AgencyOrConsortium
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


@router.post(
    "/calls/{call_id}/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    summary="Start a draft proposal for a call (it may be incomplete)",
    responses={503: NOT_YET_KNOWN_RESPONSE},
)
async def post_draft(
    call_id: uuid.UUID,
    body: ProposalDraft,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    consortium: Consortium,
    request: Request,
    response: Response,
) -> ProposalOut:
    async def create() -> tuple[Proposal, ProposalDraft]:
        return await create_draft(session, runtime, calls, consortium, str(call_id), body)

    # A call published a moment ago whose event has not arrived: fetched from call_definition, then created.
    proposal, draft = await with_call_known(runtime, session, fetcher_for(request.app.state), str(call_id), create)
    return proposal_out(proposal, response, draft)


@router.put(
    "/proposals/{proposal_id}",
    response_model=ProposalOut,
    summary="Replace the draft (If-Match: the ETag you read; 412 if someone changed it since)",
)
async def put_draft(
    proposal_id: uuid.UUID,
    body: ProposalDraft,
    session: DbSession,
    runtime: RuntimeDep,
    consortium: Consortium,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> ProposalOut:
    proposal, draft = await update_draft(session, runtime, consortium, str(proposal_id), body, if_match)
    return proposal_out(proposal, response, draft)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, summary="A proposal (its owner or an agency)")
async def get_one(proposal_id: uuid.UUID, session: DbSession, reader: Reader, response: Response) -> ProposalOut:
    return proposal_out(await read_proposal(session, reader=reader, proposal_id=str(proposal_id)), response)


@router.get(
    "/proposals/{proposal_id}/precheck",
    response_model=PrecheckOut,
    summary="Live pre-check of the draft against every rule, and what the call requires to submit",
)
async def get_precheck(
    proposal_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, calls: Calls, reader: Reader
) -> Response:
    return precheck_response(
        await precheck_proposal(session, runtime, calls, reader=reader, proposal_id=str(proposal_id))
    )


@router.get(
    "/calls/{call_id}/requirements",
    response_model=SubmissionRequirements,
    summary="What the call requires before a proposal can be submitted (public: build a form from it)",
    responses={503: NOT_YET_KNOWN_RESPONSE},
)
async def get_requirements(
    call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, calls: Calls, request: Request
) -> SubmissionRequirements:
    async def read() -> SubmissionRequirements:
        return await read_requirements(session, calls, call_id=str(call_id))

    return await with_call_known(runtime, session, fetcher_for(request.app.state), str(call_id), read)


@router.post(
    "/proposals/{proposal_id}/submit",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    summary="Submit the draft as a new version; the receipt comes once it is durably stored",
)
async def post_submit(
    proposal_id: uuid.UUID,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    consortium: Consortium,
    idempotency_key: IdempotencyKey = None,
) -> ReceiptOut:
    # The request's session commits the submission before the receipt is sent; any error rolls it all back.
    try:
        receipt = await submit_proposal(session, runtime, calls, consortium, str(proposal_id), idempotency_key)
    except ServiceError as error:
        if is_refusal(error):  # the secretariat sees who tried and why (GET /calls/{id}/refusals)
            # A unit of work of its own: the request's session is rolled back (the refused submission stores
            # nothing, and its locks are released first), while the refusal must be stored all the same.
            await session.rollback()
            async with separate_unit_of_work(runtime) as own:
                await record_refusal(own, runtime, consortium, str(proposal_id), error)
        raise
    return receipt_out(receipt)


@router.post(
    "/proposals/{proposal_id}/withdraw",
    response_model=ProposalOut,
    summary="Withdraw the proposal (before or after the deadline)",
)
async def post_withdraw(
    proposal_id: uuid.UUID, body: WithdrawalIn, session: DbSession, runtime: RuntimeDep, consortium: Consortium
) -> ProposalOut:
    return proposal_out(await withdraw_proposal(session, runtime, consortium, str(proposal_id), body.reason))


@router.get(
    "/proposals/{proposal_id}/versions",
    response_model=list[VersionOut],
    summary="Every submitted version, each with its hash",
)
async def get_versions(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> list[VersionOut]:
    return versions_out(await list_versions(session, reader=reader, proposal_id=str(proposal_id)))


@router.get(
    "/calls/{call_id}/proposals",
    response_model=Page[ProposalOut],
    summary="Proposals of a call: all for an agency, its own for a consortium",
)
async def get_for_call(
    call_id: uuid.UUID, session: DbSession, reader: Reader, limit: SmallLimit = 50, cursor: LongCursor = None
) -> Page[ProposalOut]:
    proposals = await list_proposals(session, reader=reader, call_id=str(call_id), cursor=cursor, limit=limit)
    return proposal_page(proposals)


@router.get(
    "/calls/{call_id}/partners",
    response_model=Page[RegionPartnerOut],
    summary="The region's own partners in submitted proposals (region token)",
)
async def get_region_partners(
    call_id: uuid.UUID, session: DbSession, region: Region, limit: SmallLimit = 100, cursor: LongCursor = None
) -> Page[RegionPartnerOut]:
    rows = await list_region_partners(session, region=region, call_id=str(call_id), cursor=cursor, limit=limit)
    return region_partner_page(rows)


@router.post(
    "/proposals/{proposal_id}/full-proposal",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    summary="Two-stage calls: start the full proposal of an invited pre-proposal (pre-filled from it)",
)
async def post_full_proposal(
    proposal_id: uuid.UUID,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    consortium: Consortium,
    response: Response,
) -> ProposalOut:
    proposal, draft = await start_full_proposal(session, runtime, calls, consortium, str(proposal_id))
    return proposal_out(proposal, response, draft)


@router.get(
    "/proposals/{proposal_id}/invitation",
    response_model=InvitationOut,
    summary="Two-stage calls: invited to stage 2 (with its deadline), or why not",
)
async def get_invitation(proposal_id: uuid.UUID, session: DbSession, reader: Reader) -> InvitationOut:
    return invitation_out(await read_invitation(session, reader, str(proposal_id)))
