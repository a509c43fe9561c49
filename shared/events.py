"""Event envelope (CloudEvents-style) and the versioned event payloads the services exchange.

Rule for changing a payload: add optional fields only. A breaking change is a new version
(`...v2`) published beside the old one; tests/contracts holds recorded payloads that every
consumer model must keep accepting.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.calls import CallConfiguration, RegionCode
from shared.clock import Clock
from shared.money import Amount, CurrencyCode, Money
from shared.pagination import INT_MAX
from shared.rules.model import PartnerFacts, ProposalFacts


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    type: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+\.v[0-9]+$", examples=["proposal.submitted.v1"])
    source: str
    time: datetime
    subject: str
    correlationid: str
    causationid: str | None = None
    data: dict[str, Any]

    @property
    def routing_key(self) -> str:
        """The event type without its version: what queues bind to."""
        return self.type.rsplit(".", 1)[0]


class EventData(BaseModel):
    """Base of every payload; consumers ignore fields they do not know yet."""

    model_config = ConfigDict(extra="ignore")
    event_type: ClassVar[str]


E = TypeVar("E", bound=EventData)


def make_envelope(
    data: EventData,
    *,
    source: str,
    subject: str,
    clock: Clock,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> Envelope:
    event_id = uuid.uuid4()
    return Envelope(
        id=event_id,
        type=data.event_type,
        source=source,
        time=clock.now(),
        subject=subject,
        correlationid=correlation_id or str(event_id),
        causationid=causation_id,
        data=data.model_dump(mode="json"),
    )


def parse_data(envelope: Envelope, model: type[E]) -> E:
    return model.model_validate(envelope.data)


# --- call_definition -------------------------------------------------------------------------


# A version or revision counter: its producer stores it in a 32-bit integer column, and so do its consumers.
Counter = Annotated[int, Field(ge=0, le=INT_MAX)]


class RegionSnapshot(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str
    name: str
    currency: CurrencyCode


class CallSnapshot(BaseModel):
    """The full current version of a call, so consumers never have to ask back.

    `version` counts configuration versions (amendments); `revision` counts every change,
    status included: a consumer keeps the snapshot with the highest revision.
    """

    model_config = ConfigDict(extra="ignore")

    call_id: uuid.UUID
    version: Counter
    revision: Counter = 0
    code: str
    title: str
    status: str
    opens_at: datetime
    deadline: datetime
    regions: list[RegionSnapshot]
    configuration: CallConfiguration | None = None

    @property
    def ordering_key(self) -> int:
        return self.revision or self.version


class CallEvent(EventData):
    """Every call.* event carries the call as it now stands."""

    call: CallSnapshot


class CallPublished(CallEvent):
    event_type: ClassVar[str] = "call.published.v1"


class CallOpened(CallEvent):
    """The clock passed the opening: submissions are accepted."""

    event_type: ClassVar[str] = "call.opened.v1"


class CallClosed(CallEvent):
    """The clock passed the final deadline: the last versions submitted are the ones that count."""

    event_type: ClassVar[str] = "call.closed.v1"


class CallAmended(CallEvent):
    event_type: ClassVar[str] = "call.amended.v1"
    kind: str
    reason: str


class CallStatusChanged(CallEvent):
    """An agency moved the call on (eligibility, evaluation, ranking, decisions, results)."""

    event_type: ClassVar[str] = "call.status_changed.v1"
    previous_status: str


# --- proposal_intake -------------------------------------------------------------------------


class PartnerSnapshot(BaseModel):
    """A partner as submitted; `partner_id` is "<proposal id>:<partner key>"."""

    model_config = ConfigDict(extra="ignore")

    partner_id: str
    organisation_name: str
    region_code: str
    requested_funding: Money
    key: str | None = None
    legal_id: str | None = None
    country: str | None = None
    organisation_type: str | None = None
    is_sme: bool = False
    role: str = "partner"
    costs: dict[str, Decimal] = Field(default_factory=dict)


class ProposalSubmitted(EventData):
    event_type: ClassVar[str] = "proposal.submitted.v1"

    proposal_id: uuid.UUID
    call_id: uuid.UUID
    version: Counter
    applicant_id: str
    acronym: str
    title: str
    submitted_at: datetime
    content_sha256: str
    partners: list[PartnerSnapshot]
    abstract: str | None = None
    s3_areas: list[str] = Field(default_factory=list)
    trl: int | None = None
    duration_months: int | None = None
    warnings: list[str] = Field(default_factory=list)
    stage: int = Field(default=1, ge=1, le=2, description="2: a full proposal of a two-stage call")
    pre_proposal_id: uuid.UUID | None = Field(default=None, description="Stage 2: the pre-proposal it grew from")

    def rule_facts(self, *, without: frozenset[str] = frozenset()) -> ProposalFacts | None:
        """What the rule engine judges (partners by their key), leaving out the partner ids in `without`; None
        while the proposal lacks its TRL, its duration or a partner's organisation type."""
        if self.trl is None or self.duration_months is None:
            return None
        partners = []
        for partner in self.partners:
            if partner.partner_id in without:
                continue
            if partner.organisation_type is None:
                return None
            partners.append(
                PartnerFacts(
                    partner_id=partner.key or partner.partner_id,
                    organisation_name=partner.organisation_name,
                    organisation_type=partner.organisation_type,
                    is_sme=partner.is_sme or partner.organisation_type == "sme",
                    role=partner.role,
                    region_code=partner.region_code,
                    country=partner.country or partner.region_code[:2],
                    costs=partner.costs,
                    requested_funding=partner.requested_funding.amount,
                    currency=partner.requested_funding.currency,
                )
            )
        return ProposalFacts(
            s3_areas=frozenset(self.s3_areas),
            trl=self.trl,
            duration_months=self.duration_months,
            partners=partners,
        )


class ProposalWithdrawn(EventData):
    """A consortium withdrew its proposal: nothing proceeds for it any more."""

    event_type: ClassVar[str] = "proposal.withdrawn.v1"

    proposal_id: uuid.UUID
    call_id: uuid.UUID
    applicant_id: str
    withdrawn_at: datetime
    reason: str


# --- regional_eligibility --------------------------------------------------------------------


class ReasonDetail(BaseModel):
    """One reason as data, beside its sentence: whom it is about (the partner, a region's partners together, or
    the consortium), the rule, and the numbers behind it as exact strings."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(description="The reason as a sentence that names its subject (the reasons list holds it)")
    rule: str = Field(examples=["regional.funding_rate", "consortium.min_partners"])
    region_code: str = Field(description="The region whose rule it is, or `consortium` for the call's rules")
    partner_id: str | None = Field(
        default=None,
        description="The partner it is about; null for a region's partners together or the consortium as a whole",
    )
    organisation_name: str = Field(
        default="",
        description="The partner's name; a region's partners, or the proposal's acronym, when it is about several",
    )
    details: dict[str, str] = Field(default_factory=dict, description="The numbers, e.g. requested, limit, rate")


class PartnerVerdict(BaseModel):
    model_config = ConfigDict(extra="ignore")

    partner_id: str
    region_code: str
    eligible: bool
    reasons: list[str]
    organisation_name: str = ""
    reason_details: list[ReasonDetail] = Field(default_factory=list, description="The reasons as data, in order")


class EligibilityDecided(EventData):
    event_type: ClassVar[str] = "eligibility.decided.v1"

    proposal_id: uuid.UUID
    call_id: uuid.UUID
    proposal_version: Counter
    outcome: Literal["eligible", "not_eligible"]
    reasons: list[str]
    partners: list[PartnerVerdict]
    decided_at: datetime
    decision_version: int = Field(default=1, ge=0, le=INT_MAX, description="+1 when a correction changes the outcome")
    dropped_partners: list[str] = Field(default_factory=list, description="Partner ids dropped by the policy")
    reason_details: list[ReasonDetail] = Field(
        default_factory=list, description="The reasons as data, one per entry of `reasons`, in the same order"
    )


# --- joint_evaluation ------------------------------------------------------------------------


class RankedProposal(BaseModel):
    """One line of the ranking list: passing proposals carry a rank; the others say why not."""

    model_config = ConfigDict(extra="ignore")

    proposal_id: uuid.UUID
    acronym: str
    status: Literal["passed", "not_passed", "ineligible"]
    rank: int | None = None
    scores: dict[str, Decimal] = Field(default_factory=dict, description="Consensus score per criterion key")
    unweighted_total: Decimal | None = None
    weighted_total: Decimal | None = None
    reasons: list[str] = Field(default_factory=list)
    reason_details: list[ReasonDetail] = Field(
        default_factory=list, description="Ineligible proposals: the eligibility reasons as data, as `reasons`"
    )


class EvaluationCompleted(EventData):
    """Every eligible proposal has a final consensus: the ranking list is fixed."""

    event_type: ClassVar[str] = "evaluation.completed.v1"

    call_id: uuid.UUID
    completed_at: datetime
    ranking: list[RankedProposal] = Field(description="Passed by rank, then not passed, then ineligible")


class RegionAmount(BaseModel):
    """Money of one region, in the region's currency."""

    model_config = ConfigDict(extra="ignore")

    region_code: str
    amount: Amount
    currency: CurrencyCode


class FundingDecision(BaseModel):
    """A passing proposal after the walk: funded, on the reserve list, or declined by a region."""

    model_config = ConfigDict(extra="ignore")

    proposal_id: uuid.UUID
    acronym: str
    rank: int
    status: Literal["funded", "reserve", "declined"]
    requested: list[RegionAmount] = Field(description="Per region, its funded partners' requests, in its currency")
    shortfall: list[RegionAmount] = Field(default_factory=list, description="Reserve: what each short region lacked")
    cumulative_gap: list[RegionAmount] = Field(
        default_factory=list, description="Reserve: the top-up per region that would fund the list down to here"
    )
    declined_by: list[str] = Field(default_factory=list)


class RegionFunding(BaseModel):
    """A region's budget after the walk, in its currency and in the reporting currency."""

    model_config = ConfigDict(extra="ignore")

    region_code: str
    budget: Money
    allocated: Money
    remaining: Money
    funding_gap: Money
    funded_proposals: int
    budget_reporting: Money
    allocated_reporting: Money
    remaining_reporting: Money
    funding_gap_reporting: Money


class FundingTotals(BaseModel):
    """Sums over the regions, in the reporting currency."""

    model_config = ConfigDict(extra="ignore")

    budget: Money
    allocated: Money
    remaining: Money
    funding_gap: Money


class FundingDecided(EventData):
    """The virtual common pot walked over the ranking; announced again (funding_version + 1) after a decline."""

    event_type: ClassVar[str] = "funding.decided.v1"

    call_id: uuid.UUID
    funding_version: Counter
    decided_at: datetime
    trigger: str = Field(description="run, decline or withdrawal")
    reporting_currency: str
    proposals: list[FundingDecision] = Field(description="In rank order")
    regions: list[RegionFunding]
    totals: FundingTotals


class ResultLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    proposal_id: uuid.UUID
    acronym: str
    rank: int | None = None
    status: Literal["funded", "reserve", "declined", "not_passed", "ineligible"]
    scores: dict[str, Decimal] = Field(default_factory=dict)
    weighted_total: Decimal | None = None
    grants: list[RegionAmount] = Field(default_factory=list, description="Funded: the grant of each region")
    pre_proposal_id: uuid.UUID | None = Field(default=None, description="Two-stage calls: its pre-proposal")


class ResultsPublished(EventData):
    """Every region confirmed its decisions: the consolidated results are public."""

    event_type: ClassVar[str] = "results.published.v1"

    call_id: uuid.UUID
    published_at: datetime
    funding_version: Counter
    reporting_currency: str
    results: list[ResultLine]
    regions: list[RegionFunding]
    totals: FundingTotals
    stages: StageNumbers | None = Field(default=None, description="Two-stage calls: both stages' numbers")


class StageCount(BaseModel):
    model_config = ConfigDict(extra="ignore")

    pre_proposals: int
    invited: int
    full_proposals: int
    funded: int


class StageNumbers(BaseModel):
    """A two-stage call's numbers: pre-proposals, invited, full proposals, funded; in all and per region."""

    model_config = ConfigDict(extra="ignore")

    total: StageCount
    regions: dict[str, StageCount]


# --- the reserve list after the results (joint_evaluation) ------------------------------------


class ReserveGrant(BaseModel):
    """A reserve proposal the freed money can fund: its rank and each region's grant in its currency."""

    model_config = ConfigDict(extra="ignore")

    proposal_id: uuid.UUID
    acronym: str
    rank: int
    grants: list[RegionAmount]


class ReserveProposed(EventData):
    """Money came back after the results: the reserve list walked again; the regions confirm, the agency funds."""

    event_type: ClassVar[str] = "reserve.proposed.v1"

    call_id: uuid.UUID
    offer_round: int
    proposed_at: datetime
    proposals: list[ReserveGrant] = Field(description="In rank order; empty when nothing more is fundable")
    budgets: list[RegionAmount] = Field(description="Per region, what it has left to give before this offer")


class ReserveFunded(EventData):
    """The regions confirmed an offer: these reserve proposals are funded (contracting starts)."""

    event_type: ClassVar[str] = "reserve.funded.v1"

    call_id: uuid.UUID
    offer_round: int
    funded_at: datetime
    proposals: list[ReserveGrant]


# --- project_monitoring ----------------------------------------------------------------------


class FundsReleased(EventData):
    """A grant fell away after the results: the money goes back to its region, for the reserve list."""

    event_type: ClassVar[str] = "funds.released.v1"

    call_id: uuid.UUID
    proposal_id: uuid.UUID
    released_at: datetime
    released: list[RegionAmount] = Field(description="Per region, the money given back, in its currency")
    project_cancelled: bool
    reason: str


class GrantContracting(EventData):
    """Base of a partner's contracting step (signed, declined, withdrawn, overdue)."""

    call_id: uuid.UUID
    proposal_id: uuid.UUID
    partner_id: str
    region_code: RegionCode
    amount: Money
    status: str
    at: datetime


class GrantSigned(GrantContracting):
    event_type: ClassVar[str] = "grant.signed.v1"
    reference: str
    days_to_contract: int


class GrantDeclined(GrantContracting):
    """Declined by the region or withdrawn by the partner (``status`` says which)."""

    event_type: ClassVar[str] = "grant.declined.v1"
    reason: str


class GrantOverdue(GrantContracting):
    """The partner has not signed by the deadline the call sets."""

    event_type: ClassVar[str] = "grant.overdue.v1"
    due_at: datetime


class ProjectStarted(EventData):
    event_type: ClassVar[str] = "project.started.v1"

    call_id: uuid.UUID
    proposal_id: uuid.UUID
    acronym: str
    started_at: datetime
    partners: list[str] = Field(description="The partner ids that signed")


class ReportSubmitted(EventData):
    event_type: ClassVar[str] = "report.submitted.v1"

    call_id: uuid.UUID
    proposal_id: uuid.UUID
    period: int
    submitted_at: datetime
    final: bool


class ReportOverdue(EventData):
    """A period's report is late: each region funding the project holds its next payment."""

    event_type: ClassVar[str] = "report.overdue.v1"

    call_id: uuid.UUID
    proposal_id: uuid.UUID
    period: int
    due_at: datetime
    payments_held: list[RegionCode] = Field(description="The regions whose next payment is held")


# --- two-stage calls (joint_evaluation) ------------------------------------------------------


class InvitationOutcome(BaseModel):
    """One pre-proposal's outcome at the shortlist: invited to stage 2, or why not."""

    model_config = ConfigDict(extra="ignore")

    pre_proposal_id: uuid.UUID
    applicant_id: str
    acronym: str
    status: Literal["invited", "cap_reached", "no_go", "below_threshold", "ineligible"]
    reasons: list[str] = Field(default_factory=list, description="In words, for the applicant; none when invited")


class InvitationsPublished(EventData):
    """The agency decided the shortlist and every region confirmed it: who may submit a full proposal."""

    event_type: ClassVar[str] = "invitations.published.v1"

    call_id: uuid.UUID
    published_at: datetime
    stage_two_opens: datetime
    stage_two_deadline: datetime
    outcomes: list[InvitationOutcome]


CALL_EVENTS: tuple[type[CallEvent], ...] = (CallPublished, CallOpened, CallClosed, CallAmended, CallStatusChanged)

EVENT_MODELS: dict[str, type[EventData]] = {
    model.event_type: model
    for model in (
        CallPublished,
        CallOpened,
        CallClosed,
        CallAmended,
        CallStatusChanged,
        ProposalSubmitted,
        ProposalWithdrawn,
        EligibilityDecided,
        EvaluationCompleted,
        FundingDecided,
        ResultsPublished,
        ReserveProposed,
        ReserveFunded,
        FundsReleased,
        GrantSigned,
        GrantDeclined,
        GrantOverdue,
        ProjectStarted,
        ReportSubmitted,
        ReportOverdue,
        InvitationsPublished,
    )
}
