"""How proposal_intake's responses are built from what its use cases return: the one place."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Response

from shared.pagination import Page, Window, page_of
from shared.presenting import presented
from shared.proposals import ProposalDraft

from ..document_access import Readable
from ..domain.documents import LinkedDocument
from ..domain.refusals import RefusalSummary
from ..drafts import etag
from ..models import Proposal, ProposalVersion, RegionPartner
from ..use_cases.precheck_proposal import Precheck
from ..use_cases.read_dashboard import Dashboard, RuleCount
from ..use_cases.read_invitation import InvitationView
from ..use_cases.submit_proposal import Receipt
from ..use_cases.upload_document import UploadResult
from .schemas import (
    DashboardOut,
    DocumentOut,
    DocumentsOut,
    FieldErrorOut,
    IntervalOut,
    InvitationOut,
    PartnerCountOut,
    PrecheckCountsOut,
    PrecheckOut,
    ProposalCountsOut,
    ProposalOut,
    ReceiptOut,
    RefusalCountsOut,
    RefusalOut,
    RefusalsOut,
    RegionPartnerOut,
    RegionWarningsOut,
    RuleCountOut,
    UploadedOut,
    VersionOut,
)


def proposal_out(
    proposal: Proposal, response: Response | None = None, draft: ProposalDraft | None = None
) -> ProposalOut:
    """`draft`: the proposal's draft already validated (as just stored), so it is not parsed again."""
    if response is not None:
        response.headers["ETag"] = etag(proposal)
    return presented(
        ProposalOut,
        proposal,
        revision=proposal.draft_revision,
        draft=draft if draft is not None else ProposalDraft.model_validate(proposal.draft),
        stage=proposal.stage or 1,
    )


def receipt_out(receipt: Receipt) -> ReceiptOut:
    return presented(ReceiptOut, receipt, received_at=receipt.submitted_at)


def proposal_page(proposals: Window[Proposal]) -> Page[ProposalOut]:
    return page_of(proposals, proposal_out)


def versions_out(versions: list[ProposalVersion]) -> list[VersionOut]:
    return [VersionOut.model_validate(v, from_attributes=True) for v in versions]


def region_partner_page(rows: Window[RegionPartner]) -> Page[RegionPartnerOut]:
    return page_of(rows, lambda row: RegionPartnerOut.model_validate(row, from_attributes=True))


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
    return InvitationOut.model_validate(invitation, from_attributes=True)


def refusals_out(call_id: uuid.UUID, summary: RefusalSummary) -> RefusalsOut:
    last = [presented(RefusalOut, r, refused_at=r.at) for r in summary.last_per_proposal]
    return presented(RefusalsOut, summary, call_id=call_id, last_per_proposal=last)


def document_out(document: LinkedDocument) -> DocumentOut:
    return presented(DocumentOut, document, document_type=document.type_key, partner=document.partner_key or None)


def uploaded_out(result: UploadResult, now: datetime) -> UploadedOut:
    return UploadedOut(**document_out(result.document).model_dump(), replaced=result.replaced, uploaded_at=now)


def documents_out(proposal_id: uuid.UUID, readable: Readable) -> DocumentsOut:
    return DocumentsOut(
        proposal_id=proposal_id, version=readable.version, documents=[document_out(d) for d in readable.documents]
    )


# --- the deadline dashboard of a call ---------------------------------------------------------------------

COVERS = {
    "over_time": "Per interval of the call's timeline (from its opening to its deadline; a row before the opening "
    "and one after the deadline only when they count something): drafts started (every proposal created, "
    "withdrawn ones too), first submissions (version 1 of a proposal), resubmissions (versions 2 and later) and "
    "submissions refused (for their content or their timing).",
    "proposals": "Every proposal of the call by its status now: draft (never submitted), submitted, withdrawn.",
    "by_region": "The latest submitted version of each proposal not withdrawn: per partner region, the "
    'proposals with a partner there and the partners; a partner without a region is under the code "".',
    "by_partner_count": "The same versions: how many proposals have each number of partners.",
    "precheck": "What intake keeps of pre-checks: the last pre-check's verdicts of each proposal not withdrawn "
    "(one memo per proposal, of the draft as it was then; a draft edited since keeps the memo of its last "
    "pre-checked revision). Rules: the consortium rules it found broken (what refuses a submission), with the "
    "proposals naming each and the failures (one per partner for a per-partner rule). Regional warnings: per "
    "region, the proposals with a regional rule not passed; intake keeps no rule name for these, nor whether the "
    "rule failed or awaits the region's officers. Earlier pre-checks of a proposal are not kept.",
    "refusals": "Every submission the service refused in this call (422 for the content: consortium rules, "
    "`completeness`; 409 for the timing: `submission_window`), each counted once per rule it names; the same "
    "refusals as GET /calls/{call_id}/refusals. At the deadline: those refused for the submission window at or "
    "after the call's deadline (its last stage's, in a two-stage call) by the server's clock.",
}


def _rules(rows: list[RuleCount]) -> list[RuleCountOut]:
    return [RuleCountOut.model_validate(r, from_attributes=True) for r in rows]


def dashboard_out(view: Dashboard) -> DashboardOut:
    status = view.proposals
    return presented(
        DashboardOut,
        view,
        interval_seconds=view.timeline.width,
        over_time=[
            IntervalOut(
                start=row.start,
                end=row.end,
                drafts=row.count("drafts"),
                first_submissions=row.count("first_submissions"),
                resubmissions=row.count("resubmissions"),
                refusals=row.count("refusals"),
            )
            for row in view.over_time
        ],
        proposals=ProposalCountsOut(
            draft=status.get("draft", 0),
            submitted=status.get("submitted", 0),
            withdrawn=status.get("withdrawn", 0),
            total=sum(status.values()),
        ),
        by_partner_count=[PartnerCountOut(partners=n, proposals=p) for n, p in view.by_partner_count],
        precheck=PrecheckCountsOut(
            proposals_checked=view.prechecked,
            proposals_failing=view.precheck_failing,
            by_rule=_rules(view.precheck_failures),
            regional_warnings=[
                RegionWarningsOut.model_validate(r, from_attributes=True) for r in view.regional_warnings
            ],
        ),
        refusals=RefusalCountsOut(
            total=view.refusals[0],
            proposals=view.refusals[1],
            by_rule=_rules(view.refusals_by_rule),
            at_deadline=view.refused_at_deadline[0],
            at_deadline_proposals=view.refused_at_deadline[1],
        ),
        covers=COVERS,
    )
