"""Routes of proposal_intake: consortia draft, pre-check, submit and withdraw; agencies read all;
a region reads the partners of its own region."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from shared.call_backfill import NOT_YET_KNOWN_RESPONSE, fetcher_for
from shared.errors import FieldError, ServiceError
from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.pagination import Page, decode_key_cursor, encode_cursor
from shared.proposals import ProposalDraft
from shared.service import DbSession, RuntimeDep

from ..document_repository import documents_of
from ..domain.completeness import completeness_errors
from ..domain.documents import missing_documents
from ..domain.lifecycle import ProposalStatus, can_move
from ..domain.precheck import precheck_draft, submission_verdicts, verdicts_key
from ..domain.requirements import SubmissionRequirements, requirements_of
from ..domain.submission import submission_window_error
from ..models import Proposal
from ..repository import list_for_call, partners_of_region, proposal_with_call, remember_verdicts, versions_of
from ..use_cases.access import applicant_of, call_from_snapshot, call_of, proposal_for, visible_proposal
from ..use_cases.backfill_call import with_call_known
from ..use_cases.edit_draft import create_draft, etag, update_draft
from ..use_cases.read_invitation import InvitationView, read_invitation
from ..use_cases.refusals import is_refusal, record_refusal
from ..use_cases.stage_checks import stage_view
from ..use_cases.start_full_proposal import start_full_proposal
from ..use_cases.submit_proposal import Receipt, submit_proposal
from ..use_cases.withdraw_proposal import withdraw_proposal
from .schemas import (
    FieldErrorOut,
    InvitationOut,
    PrecheckOut,
    ProposalOut,
    ReceiptOut,
    RegionPartnerOut,
    VersionOut,
    WithdrawalIn,
)

router = APIRouter(tags=["proposals"], route_class=ExactJsonRoute)
Consortium = Annotated[Principal, Depends(require(Role.CONSORTIUM))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.CONSORTIUM))]
Region = Annotated[Principal, Depends(require(Role.REGION))]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=300)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


def proposal_out(
    proposal: Proposal, response: Response | None = None, draft: ProposalDraft | None = None
) -> ProposalOut:
    """`draft`: the proposal's draft already validated (as just stored), so it is not parsed again."""
    if response is not None:
        response.headers["ETag"] = etag(proposal)
    return ProposalOut(
        id=uuid.UUID(proposal.id),
        call_id=uuid.UUID(proposal.call_id),
        applicant_id=proposal.applicant_id,
        status=proposal.status,
        revision=proposal.draft_revision,
        current_version=proposal.current_version,
        draft=draft if draft is not None else ProposalDraft.model_validate(proposal.draft),
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
        withdrawn_at=proposal.withdrawn_at,
        stage=proposal.stage or 1,
        pre_proposal_id=uuid.UUID(proposal.pre_proposal_id) if proposal.pre_proposal_id else None,
    )


def receipt_out(receipt: Receipt) -> ReceiptOut:
    return ReceiptOut(
        proposal_id=uuid.UUID(receipt.proposal_id),
        version=receipt.version,
        received_at=receipt.submitted_at,
        content_sha256=receipt.content_sha256,
        warnings=receipt.warnings,
    )


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
    runtime: RuntimeDep,
    consortium: Consortium,
    request: Request,
    response: Response,
) -> ProposalOut:
    async def create() -> tuple[Proposal, ProposalDraft]:
        # A transaction on a plain connection (a draft is one Core INSERT: no ORM session needed), committed
        # when the block ends, before the answer; a refusal stores nothing.
        async with runtime.engine.begin() as connection:
            return await create_draft(connection, runtime, consortium, str(call_id), body)

    # A call published a moment ago whose event has not arrived: fetched from call_definition, then created.
    proposal, draft = await with_call_known(runtime, fetcher_for(request.app.state), str(call_id), create)
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
    return proposal_out(await proposal_for(session, reader, str(proposal_id)), response)


@router.get(
    "/proposals/{proposal_id}/precheck",
    response_model=PrecheckOut,
    summary="Live pre-check of the draft against every rule, and what the call requires to submit",
)
async def get_precheck(proposal_id: uuid.UUID, runtime: RuntimeDep, reader: Reader) -> Response:
    async with runtime.engine.begin() as connection:  # a plain connection: one read, no ORM session needed
        found = await proposal_with_call(connection, str(proposal_id))  # the proposal and its call together
        proposal = visible_proposal(found, reader, str(proposal_id))
        call, config = call_from_snapshot(proposal.call_snapshot, proposal.call_id)
        stage = await stage_view(connection, proposal, config)  # reads only for a full proposal
    draft = ProposalDraft.model_validate_json(proposal.draft)
    missing = completeness_errors(draft, config)
    if config.documents:  # the required documents the draft lacks, beside the other gaps
        async with runtime.engine.connect() as connection:
            missing += missing_documents(draft, config, await documents_of(connection, proposal.id))
    missing = stage.gaps(missing, config)  # a pre-proposal: only what its stage-1 form requires
    problems = stage.problems(draft, config)
    report = precheck_draft(draft, config)
    verdicts = submission_verdicts(report)
    key = verdicts_key(proposal.draft_revision, proposal.call_revision)
    if proposal.verdicts_key != key:  # the first pre-check of this draft under this call: keep what it found
        async with runtime.engine.begin() as connection:
            await remember_verdicts(connection, proposal.id, proposal.draft_revision, key, verdicts.as_json())
    now = runtime.clock.now()
    failures = stage.failures(verdicts.failures, config)
    blockers = [*missing, *(FieldError(field, message) for field, message in failures), *problems]
    window = submission_window_error(call, now)
    if window:
        blockers.append(FieldError("", window, location="call"))
    if not can_move(ProposalStatus(proposal.status), ProposalStatus.SUBMITTED):
        blockers.append(FieldError("status", "The proposal was withdrawn: it cannot be submitted again."))
    answer = PrecheckOut(
        complete=not missing and not problems,
        missing=[FieldErrorOut(**error.as_dict()) for error in missing],
        outcome="incomplete" if missing or problems or report is None else report.outcome.value,
        rules_outcome=report.outcome if report else None,
        may_submit=not blockers,
        blockers=[FieldErrorOut(**error.as_dict()) for error in blockers],
        warnings=verdicts.warnings,
        server_time=now,
        requirements=requirements_of(proposal.call_id, config),
        report=report,
        stage=stage.as_dict(),
        stage_problems=[problem.as_dict() for problem in problems],
    )
    # Serialised once, straight to JSON (the report is a large tree of verdicts), rather than dumped to dicts
    # that FastAPI would validate and serialise again; the same JSON, and the schema PrecheckOut documents.
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get(
    "/calls/{call_id}/requirements",
    response_model=SubmissionRequirements,
    summary="What the call requires before a proposal can be submitted (public: build a form from it)",
    responses={503: NOT_YET_KNOWN_RESPONSE},
)
async def get_requirements(call_id: uuid.UUID, runtime: RuntimeDep, request: Request) -> SubmissionRequirements:
    async def read() -> SubmissionRequirements:
        async with runtime.engine.connect() as connection:
            _, config = await call_of(connection, str(call_id))
        return requirements_of(str(call_id), config)

    return await with_call_known(runtime, fetcher_for(request.app.state), str(call_id), read)


@router.post(
    "/proposals/{proposal_id}/submit",
    status_code=status.HTTP_201_CREATED,
    response_model=ReceiptOut,
    summary="Submit the draft as a new version; the receipt comes once it is durably stored",
)
async def post_submit(
    proposal_id: uuid.UUID, runtime: RuntimeDep, consortium: Consortium, idempotency_key: IdempotencyKey = None
) -> ReceiptOut:
    # One transaction on a plain connection (the submission is all Core statements: no ORM session needed),
    # committed when the block ends, before the receipt is sent; any error rolls everything back.
    try:
        async with runtime.engine.begin() as connection:
            receipt = await submit_proposal(connection, runtime, consortium, str(proposal_id), idempotency_key)
    except ServiceError as error:
        if is_refusal(error):  # the secretariat sees who tried and why (GET /calls/{id}/refusals)
            async with runtime.engine.begin() as connection:
                await record_refusal(connection, runtime, consortium, str(proposal_id), error)
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
    proposal = await proposal_for(session, reader, str(proposal_id))
    return [VersionOut.model_validate(v, from_attributes=True) for v in await versions_of(session, proposal.id)]


@router.get(
    "/calls/{call_id}/proposals",
    response_model=Page[ProposalOut],
    summary="Proposals of a call: all for an agency, its own for a consortium",
)
async def get_for_call(
    call_id: uuid.UUID, session: DbSession, reader: Reader, limit: Limit = 50, cursor: Cursor = None
) -> Page[ProposalOut]:
    after_id = decode_key_cursor(cursor)[0] if cursor else None
    applicant = applicant_of(reader) if reader.role is Role.CONSORTIUM else None
    proposals = await list_for_call(session, str(call_id), applicant_id=applicant, after_id=after_id, limit=limit)
    next_cursor = encode_cursor(proposals[-1].id) if len(proposals) == limit else None
    return Page[ProposalOut](items=[proposal_out(p) for p in proposals], next_cursor=next_cursor)


@router.get(
    "/calls/{call_id}/partners",
    response_model=Page[RegionPartnerOut],
    summary="The region's own partners in submitted proposals (region token)",
)
async def get_region_partners(
    call_id: uuid.UUID, session: DbSession, region: Region, limit: Limit = 100, cursor: Cursor = None
) -> Page[RegionPartnerOut]:
    after = decode_key_cursor(cursor, 2) if cursor else None
    rows = await partners_of_region(
        session, str(call_id), region.scope or "", after=(after[0], after[1]) if after else None, limit=limit
    )
    items = [
        RegionPartnerOut(proposal_id=uuid.UUID(r.proposal_id), acronym=r.acronym, version=r.version, partner=r.partner)
        for r in rows
    ]
    next_cursor = encode_cursor(rows[-1].proposal_id, rows[-1].partner_key) if len(rows) == limit else None
    return Page[RegionPartnerOut](items=items, next_cursor=next_cursor)


def invitation_out(invitation: InvitationView) -> InvitationOut:
    return InvitationOut(
        pre_proposal_id=uuid.UUID(invitation.pre_proposal_id),
        status=invitation.status,
        invited=invitation.invited,
        reasons=invitation.reasons,
        stage_two_opens=invitation.stage_two_opens,
        stage_two_deadline=invitation.stage_two_deadline,
        published_at=invitation.published_at,
        full_proposal_id=uuid.UUID(invitation.full_proposal_id) if invitation.full_proposal_id else None,
    )


@router.post(
    "/proposals/{proposal_id}/full-proposal",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    summary="Two-stage calls: start the full proposal of an invited pre-proposal (pre-filled from it)",
)
async def post_full_proposal(
    proposal_id: uuid.UUID, runtime: RuntimeDep, consortium: Consortium, response: Response
) -> ProposalOut:
    async with runtime.engine.begin() as connection:
        proposal, draft = await start_full_proposal(connection, runtime, consortium, str(proposal_id))
    return proposal_out(proposal, response, draft)


@router.get(
    "/proposals/{proposal_id}/invitation",
    response_model=InvitationOut,
    summary="Two-stage calls: invited to stage 2 (with its deadline), or why not",
)
async def get_invitation(proposal_id: uuid.UUID, runtime: RuntimeDep, reader: Reader) -> InvitationOut:
    async with runtime.engine.begin() as connection:
        return invitation_out(await read_invitation(connection, reader, str(proposal_id)))
