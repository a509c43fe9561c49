"""Request and response bodies of proposal_intake (the content itself is shared.proposals)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.proposals import ProposalDraft
from shared.rules.model import Outcome
from shared.rules.precheck import PrecheckReport
from shared.text import StorableModel

from ..domain.requirements import SubmissionRequirements


class ProposalOut(BaseModel):
    id: uuid.UUID
    call_id: uuid.UUID
    applicant_id: str
    status: str = Field(description="draft, submitted or withdrawn")
    revision: int = Field(description="The draft's revision: send it back as If-Match (the ETag)")
    current_version: int = Field(description="Latest submitted version; 0 if never submitted")
    draft: ProposalDraft
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None
    stage: int = Field(default=1, description="Two-stage calls: 1 the pre-proposal, 2 the full proposal")
    pre_proposal_id: uuid.UUID | None = Field(default=None, description="A full proposal's pre-proposal")


class FieldErrorOut(BaseModel):
    """One thing wrong, pointing at the field at fault (as in a 422 problem's `errors`)."""

    field: str = Field(description="Dotted path, e.g. partners.1.budget; `consortium` for a consortium rule")
    pointer: str = Field(description="The same as a JSON pointer, e.g. #/partners/1/budget")
    location: str = Field(description="body, or call for the call's submission window")
    message: str


class PrecheckOut(BaseModel):
    """The live pre-check of a draft: what is missing, every rule's verdict, whether a submission now would be
    accepted, and what the call requires (from the first empty draft on, to build a form from)."""

    complete: bool = Field(description="Every field the call requires is filled (see `missing`)")
    missing: list[FieldErrorOut] = Field(description="What completeness still lacks, every gap at once")
    outcome: Literal["incomplete", "fail", "needs_human", "pass"] = Field(
        description="`incomplete` while anything is missing; else the rules' combined verdict (any fail fails, "
        "else any manual check needs a human, else pass)"
    )
    rules_outcome: Outcome | None = Field(
        description="The rules' combined verdict on what is there so far, even while incomplete; null while the "
        "draft lacks what every rule needs (TRL, duration)"
    )
    may_submit: bool = Field(
        description="A submission now would be accepted: complete, no consortium rule broken and the call open "
        "at the server time (regional failures are only warnings). `blockers` says why not."
    )
    blockers: list[FieldErrorOut] = Field(
        description="Why a submission now would be refused: the missing fields, the consortium rules broken "
        "(field `consortium` or `partners`) and a closed submission window (location `call`)"
    )
    warnings: list[str] = Field(description="Regional rules broken or left to officers: the receipt would carry them")
    server_time: datetime
    requirements: SubmissionRequirements
    report: PrecheckReport | None = Field(description="Every verdict, per region and partner; null as rules_outcome")
    stage: dict[str, Any] | None = Field(
        default=None, description="Two-stage calls: the proposal's stage and, in stage 2, the change rules"
    )
    stage_problems: list[dict[str, Any]] = Field(
        default_factory=list, description="Where a full proposal breaks the stage-2 change rules"
    )


class ReceiptOut(BaseModel):
    """Proof of submission: keep it. The hash is SHA-256 of the canonical submitted content."""

    proposal_id: uuid.UUID
    version: int
    received_at: datetime = Field(description="Server time of the submission (UTC)")
    content_sha256: str
    warnings: list[str] = Field(description="Regional rules the content breaks or leaves to officers")


class VersionOut(BaseModel):
    version: int
    submitted_at: datetime
    submitted_by: str
    content_sha256: str
    warnings: list[str]
    content: dict[str, Any]


class WithdrawalIn(StorableModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class RegionPartnerOut(BaseModel):
    proposal_id: uuid.UUID
    acronym: str
    version: int
    partner: dict[str, Any]


class InvitationOut(BaseModel):
    """A pre-proposal's outcome at the shortlist of a two-stage call."""

    pre_proposal_id: uuid.UUID
    status: str = Field(description="invited, cap_reached, no_go, below_threshold or ineligible")
    invited: bool
    reasons: list[str] = Field(description="Why it was not invited, in words (e.g. a region's cap reached)")
    stage_two_opens: datetime
    stage_two_deadline: datetime
    published_at: datetime
    full_proposal_id: uuid.UUID | None = Field(description="The full proposal started from it, if any")


class RuleRefusalsOut(BaseModel):
    rule: str = Field(
        description="The rule broken: a consortium rule (consortium.min_partners, ...), `completeness` (data "
        "missing or wrong) or `submission_window` (after the deadline or before the opening)"
    )
    refusals: int = Field(description="Submissions refused naming it")
    proposals: int = Field(description="Distinct drafts refused for it")


class RefusalOut(BaseModel):
    proposal_id: uuid.UUID
    applicant_id: str
    acronym: str | None
    refused_at: datetime
    status: int = Field(description="What the submission got: 422 (content) or 409 (timing)")
    rules: list[str]
    errors: list[FieldErrorOut] = Field(description="As the refusal listed them")


class RefusalsOut(BaseModel):
    call_id: uuid.UUID
    total: int = Field(description="Submissions refused in this call")
    proposals: int = Field(description="Drafts with at least one refusal")
    by_rule: list[RuleRefusalsOut] = Field(description="Most refusals first")
    last_per_proposal: list[RefusalOut] = Field(description="Each draft's last refusal, latest first")


class DocumentOut(BaseModel):
    document_type: str
    partner: str | None = Field(description="The partner's key; null for a proposal-level document")
    name: str
    media_type: str = Field(description="As recognised from the content")
    size: int
    pages: int | None = Field(description="PDFs: the page count")
    sha256: str


class DocumentsOut(BaseModel):
    proposal_id: uuid.UUID
    version: int | None = Field(description="null: the draft")
    documents: list[DocumentOut]


class UploadedOut(DocumentOut):
    replaced: bool = Field(description="True if it replaced the draft's earlier document of this type")
    uploaded_at: datetime


# --- the deadline dashboard of a call ---------------------------------------------------------------------


class IntervalOut(BaseModel):
    start: datetime | None = Field(description="None: before the opening")
    end: datetime | None = Field(description="None: at or after the deadline")
    drafts: int
    first_submissions: int
    resubmissions: int
    refusals: int


class RuleCountOut(BaseModel):
    rule: str
    proposals: int = Field(description="Distinct proposals naming the rule")
    occurrences: int = Field(description="Pre-check: failures naming it; refusals: refusals naming it")


class RegionCountOut(BaseModel):
    region_code: str
    proposals: int
    partners: int


class RegionWarningsOut(BaseModel):
    region_code: str
    proposals: int
    warnings: int


class PartnerCountOut(BaseModel):
    partners: int
    proposals: int


class ProposalCountsOut(BaseModel):
    draft: int
    submitted: int
    withdrawn: int
    total: int


class PrecheckCountsOut(BaseModel):
    proposals_checked: int = Field(description="Proposals not withdrawn with a memo of a pre-check")
    proposals_failing: int = Field(description="Of those, the ones whose memo names a consortium rule broken")
    by_rule: list[RuleCountOut] = Field(description="Most proposals first")
    regional_warnings: list[RegionWarningsOut]


class RefusalCountsOut(BaseModel):
    total: int
    proposals: int
    by_rule: list[RuleCountOut] = Field(description="Most proposals first")
    at_deadline: int = Field(description="Refused for the submission window at or after the deadline")
    at_deadline_proposals: int


class DashboardOut(BaseModel):
    call_id: uuid.UUID
    status: str
    opens_at: datetime
    deadline: datetime
    server_time: datetime
    interval_seconds: int = Field(description="The width of each interval of over_time")
    over_time: list[IntervalOut]
    proposals: ProposalCountsOut
    by_region: list[RegionCountOut]
    by_partner_count: list[PartnerCountOut] = Field(description="Fewest partners first, every count in between")
    precheck: PrecheckCountsOut
    refusals: RefusalCountsOut
    covers: dict[str, str] = Field(description="What each part of the answer counts, by its name")
