"""How proposal_intake's responses are built from what its use cases return: the one place."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Response

from shared.pagination import Page, Window
from shared.proposals import ProposalDraft

from ..domain.documents import LinkedDocument
from ..domain.refusals import RefusalSummary
from ..models import Proposal, ProposalVersion, RegionPartner
from ..use_cases.edit_draft import etag
from ..use_cases.precheck_proposal import Precheck
from ..use_cases.read_documents import Readable
from ..use_cases.read_invitation import InvitationView
from ..use_cases.submit_proposal import Receipt
from ..use_cases.upload_document import UploadResult
from .schemas import (
    DocumentOut,
    DocumentsOut,
    FieldErrorOut,
    InvitationOut,
    PrecheckOut,
    ProposalOut,
    ReceiptOut,
    RefusalOut,
    RefusalsOut,
    RegionPartnerOut,
    RuleRefusalsOut,
    UploadedOut,
    VersionOut,
)


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


def proposal_page(proposals: Window[Proposal]) -> Page[ProposalOut]:
    return Page[ProposalOut](items=[proposal_out(p) for p in proposals.items], next_cursor=proposals.next_cursor)


def versions_out(versions: list[ProposalVersion]) -> list[VersionOut]:
    return [VersionOut.model_validate(v, from_attributes=True) for v in versions]


def region_partner_page(rows: Window[RegionPartner]) -> Page[RegionPartnerOut]:
    items = [
        RegionPartnerOut(proposal_id=uuid.UUID(r.proposal_id), acronym=r.acronym, version=r.version, partner=r.partner)
        for r in rows.items
    ]
    return Page[RegionPartnerOut](items=items, next_cursor=rows.next_cursor)


def precheck_response(precheck: Precheck) -> Response:
    missing, problems, report = precheck.missing, precheck.problems, precheck.report
    answer = PrecheckOut(
        complete=not missing and not problems,
        missing=[FieldErrorOut(**error.as_dict()) for error in missing],
        outcome="incomplete" if missing or problems or report is None else report.outcome.value,
        rules_outcome=report.outcome if report else None,
        may_submit=not precheck.blockers,
        blockers=[FieldErrorOut(**error.as_dict()) for error in precheck.blockers],
        warnings=precheck.verdicts.warnings,
        server_time=precheck.now,
        requirements=precheck.requirements,
        report=report,
        stage=precheck.stage.as_dict(),
        stage_problems=[problem.as_dict() for problem in problems],
    )
    # Serialised once, straight to JSON (the report is a large tree of verdicts), rather than dumped to dicts
    # that FastAPI would validate and serialise again; the same JSON, and the schema PrecheckOut documents.
    return Response(answer.model_dump_json(), media_type="application/json")


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


def refusals_out(call_id: uuid.UUID, summary: RefusalSummary) -> RefusalsOut:
    return RefusalsOut(
        call_id=call_id,
        total=summary.total,
        proposals=summary.proposals,
        by_rule=[RuleRefusalsOut(rule=c.rule, refusals=c.refusals, proposals=c.proposals) for c in summary.by_rule],
        last_per_proposal=[
            RefusalOut(
                proposal_id=uuid.UUID(r.proposal_id),
                applicant_id=r.applicant_id,
                acronym=r.acronym,
                refused_at=r.at,
                status=r.status,
                rules=r.rules,
                errors=[FieldErrorOut(**e) for e in r.errors],
            )
            for r in summary.last_per_proposal
        ],
    )


def document_out(document: LinkedDocument) -> DocumentOut:
    return DocumentOut(
        document_type=document.type_key,
        partner=document.partner_key or None,
        name=document.name,
        media_type=document.media_type,
        size=document.size,
        pages=document.pages,
        sha256=document.sha256,
    )


def uploaded_out(result: UploadResult, now: datetime) -> UploadedOut:
    return UploadedOut(**document_out(result.document).model_dump(), replaced=result.replaced, uploaded_at=now)


def documents_out(proposal_id: uuid.UUID, readable: Readable) -> DocumentsOut:
    return DocumentsOut(
        proposal_id=proposal_id, version=readable.version, documents=[document_out(d) for d in readable.documents]
    )
