"""Request and response bodies of joint_evaluation."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared import limits
from shared.calls import RegionCode, Text
from shared.decimals import NonNegativeAmount, Score
from shared.events import (
    FundingDecision,
    FundingTotals,
    RankedProposal,
    ReasonDetail,
    RegionAmount,
    RegionFunding,
    ReserveGrant,
    ResultLine,
    StageNumbers,
)
from shared.money import Money
from shared.proposals import CountryCode, Email
from shared.text import StorableModel

from ..domain.status import EvaluationStatus

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
Justification = Annotated[str, StringConstraints(max_length=10_000)]
Amount = NonNegativeAmount


class _In(StorableModel):
    model_config = ConfigDict(extra="forbid")


# --- proposals ---------------------------------------------------------------------------------------


class EntryOut(BaseModel):
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    proposal_version: int
    acronym: str | None
    title: str | None
    submitted_at: datetime | None
    eligibility: str
    eligibility_reasons: list[str]
    eligibility_reason_details: list[ReasonDetail] = Field(
        description="The eligibility reasons as data, in the same order: the partner (id and name), the region, the "
        "rule and the numbers"
    )
    status: EvaluationStatus


class PartnerOut(BaseModel):
    partner_id: str
    organisation_name: str
    legal_id: str | None
    country: str | None
    region_code: str
    role: str
    requested_funding: Money
    funded: bool = Field(description="False for partners dropped, not eligible, or from outside the call (self-funded)")


class AssessmentOut(BaseModel):
    evaluator_id: str
    status: str = Field(description="draft or submitted (locked)")
    scores: dict[str, Decimal]
    justifications: dict[str, str]
    updated_at: datetime
    submitted_at: datetime | None


class CriterionConsensusOut(BaseModel):
    criterion_key: str
    score: Decimal | None = Field(description="Final, or as it would be now; None while nobody scored it")
    mean: Decimal | None = Field(description="Unrounded mean of the submitted individual scores")
    individual_count: int
    overridden: bool
    justification: str | None


class DivergenceOut(BaseModel):
    criterion_key: str
    lowest: Decimal
    highest: Decimal
    spread: Decimal


class ConsensusOut(BaseModel):
    final: bool
    finalised_at: datetime | None
    criteria: list[CriterionConsensusOut]
    divergence: list[DivergenceOut] = Field(description="Criteria whose individual scores differ by more than allowed")


class ConflictOut(BaseModel):
    evaluator_id: str
    proposal_id: uuid.UUID
    reason: str
    declared_at: datetime


class ProposalOut(EntryOut):
    """A proposal in evaluation. An evaluator sees the proposal and its own assessment; the others' scores and the
    consensus only once the consensus is final. An agency sees everything."""

    abstract: str | None
    topics: list[str]
    partners: list[PartnerOut]
    evaluator_ids: list[str] | None = None
    own_assessment: AssessmentOut | None = None
    assessments: list[AssessmentOut] | None = None
    consensus: ConsensusOut | None = None
    conflicts: list[ConflictOut] | None = None


class MyProposalOut(BaseModel):
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    acronym: str | None
    title: str | None
    assessment: str = Field(description="not_started, draft or submitted")


# --- experts ----------------------------------------------------------------------------------------------


class EvaluatorIn(_In):
    name: Text
    email: Email
    organisation: Text
    organisation_legal_id: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=50)] | None
    ) = None
    country: CountryCode = Field(examples=["IT"])
    region_code: RegionCode | None = Field(default=None, examples=["IT-25"])
    expertise: list[Text] = Field(default_factory=list, max_length=50, description="Topics / S3 areas")
    max_load: int = Field(ge=0, le=1000, description="At most this many proposals")


class EvaluatorOut(BaseModel):
    id: uuid.UUID
    call_id: uuid.UUID
    name: str
    email: str
    organisation: str
    organisation_legal_id: str | None
    country: str
    region_code: str | None
    expertise: list[str]
    max_load: int
    registered_at: datetime


class TokenOut(BaseModel):
    token: str = Field(description="Bearer token for the role evaluator:<id>")


class RegisteredEvaluatorOut(TokenOut):
    evaluator: EvaluatorOut


class ConflictIn(_In):
    reason: Reason


class ConflictDeclaredOut(BaseModel):
    conflict: ConflictOut
    unassigned: bool = Field(description="The evaluator was taken off the proposal (its assessment discarded)")
    replacements: list[str] = Field(description="Evaluators assigned in its place")


class ShortfallOut(BaseModel):
    proposal_id: uuid.UUID
    acronym: str
    assigned: int
    needed: int
    reason: str


class AssignmentRunOut(BaseModel):
    assigned_at: datetime
    proposals: int
    evaluators: int
    pairs: int
    added: int
    removed: int
    shortfalls: list[ShortfallOut] = Field(description="Proposals that could not be fully covered, and why")


class AssignedProposalOut(BaseModel):
    proposal_id: uuid.UUID
    acronym: str | None
    evaluator_ids: list[str]
    needed: int
    shortfall: str | None = Field(description="Why it is not fully covered, if it is not")


class AssignmentPage(BaseModel):
    assigned_at: datetime | None
    items: list[AssignedProposalOut]
    next_cursor: str | None = None


# --- scoring ------------------------------------------------------------------------------------------------


class AssessmentIn(_In):
    scores: dict[str, Score] = Field(
        default_factory=dict, max_length=limits.MAX_CRITERIA, description="Criterion key -> score on the call's scale"
    )
    justifications: dict[str, Justification] = Field(
        default_factory=dict, max_length=limits.MAX_CRITERIA, description="Criterion key -> text"
    )


class ConsensusScoreIn(_In):
    score: Score
    justification: Reason


class ConsensusIn(_In):
    criteria: dict[str, ConsensusScoreIn] = Field(
        default_factory=dict,
        max_length=limits.MAX_CRITERIA,
        description="The rapporteur's scores; criteria left out take the rounded mean",
    )


# --- ranking, funding, results ----------------------------------------------------------------------------


class RankingPage(BaseModel):
    completed_at: datetime | None = Field(description="Set once the ranking is fixed")
    items: list[RankedProposal]
    next_cursor: str | None = None
    pending_consensus: list[uuid.UUID] = Field(description="Eligible proposals whose consensus is not final")
    awaiting_eligibility: list[uuid.UUID]


class CompletedOut(BaseModel):
    completed_at: datetime
    passed: int
    not_passed: int
    ineligible: int


class RegionConfirmationOut(BaseModel):
    region_code: str
    funds_partners: bool
    confirmed: bool = Field(description="Its current part is confirmed")
    confirmed_at: datetime | None
    confirmed_version: int | None


class FundingOutcome(BaseModel):
    """A passing proposal's outcome alone, without its amounts (`view=line`)."""

    proposal_id: uuid.UUID
    acronym: str
    rank: int
    status: Literal["funded", "reserve", "declined"]
    declined_by: list[str] = Field(default_factory=list)


FundingView = Literal["all", "line"]


class AllocationOut(BaseModel):
    reporting_currency: str
    proposals: list[FundingDecision] = Field(
        description="Passing proposals in rank order; with `view=line` only those around the funding line (the last "
        "5 funded, then the next 10 below it)"
    )
    outcomes: list[FundingOutcome] | None = Field(
        default=None,
        description="With `view=line`: every passing proposal's outcome, in rank order, without its amounts",
    )
    regions: list[RegionFunding]
    totals: FundingTotals | None = Field(description="In the reporting currency; agencies only")


class FundingOut(AllocationOut):
    call_id: uuid.UUID
    funding_version: int
    decided_at: datetime
    trigger: str
    confirmations: list[RegionConfirmationOut]
    final: bool = Field(description="Every region funding partners has confirmed its part")
    published_at: datetime | None


class SimulationIn(_In):
    top_ups: dict[str, Amount] = Field(
        default_factory=dict, max_length=limits.MAX_REGIONS, description="Region code -> amount in its currency"
    )


class ConfirmationIn(_In):
    decision: Literal["confirm", "decline"]
    proposal_id: uuid.UUID | None = Field(default=None, description="To decline: the proposal")
    reason: Reason | None = Field(default=None, description="To decline: why")
    funding_version: int | None = Field(default=None, description="Refused (409) if the decisions changed since")


class ResultsOut(BaseModel):
    call_id: uuid.UUID
    funding_version: int
    reporting_currency: str
    criteria: list[str]
    final: bool
    published_at: datetime | None
    results: list[ResultLine]
    regions: list[RegionFunding] = Field(description="Budget, allocation, remainder and funding gap per region")
    totals: FundingTotals
    confirmations: list[RegionConfirmationOut]
    stages: StageNumbers | None = Field(
        default=None, description="Two-stage calls: pre-proposals, invited, full proposals and funded, per region"
    )


class PublicResultLine(BaseModel):
    rank: int | None
    acronym: str
    weighted_total: Decimal | None
    grants: list[RegionAmount] = Field(description="The grant of each region funding partners, in its currency")


class PublicRegionTotal(BaseModel):
    region_code: str
    budget: Money
    allocated: Money
    funded_proposals: int
    budget_reporting: Money = Field(description="In the reporting currency, at the call's fixed rate")
    allocated_reporting: Money


class PublishedResultsOut(BaseModel):
    """The results as published (public, no token needed): the funded proposals by rank with each region's
    grant, how many proposals ended each way, and each region's budget and allocation."""

    call_id: uuid.UUID
    published_at: datetime
    reporting_currency: str
    funded: list[PublicResultLine] = Field(description="The funded proposals, best first")
    counts: dict[str, int] = Field(
        description="Proposals per status: funded, reserve, declined, not_passed, ineligible (only funded ones are "
        "named)"
    )
    regions: list[PublicRegionTotal]
    budget: Money = Field(description="All regions' budgets, in the reporting currency")
    allocated: Money = Field(description="All grants, in the reporting currency")


class ProposalResultOut(BaseModel):
    """The consortium's own line of the published results."""

    proposal_id: uuid.UUID
    call_id: uuid.UUID
    acronym: str
    published_at: datetime
    status: Literal["funded", "reserve", "declined", "not_passed", "ineligible"] = Field(
        description="funded; reserve (passed, but a region it needs had no budget left: see `shortfall`); declined "
        "(a region declined its part); not_passed (below a threshold: see `reasons`); ineligible"
    )
    rank: int | None = Field(description="Its rank among the proposals that passed the thresholds")
    reserve_position: int | None = Field(description="On the reserve list: 1 is the first in line")
    criteria: list[str]
    scores: dict[str, Decimal] = Field(description="Consensus score per criterion key")
    weighted_total: Decimal | None
    reporting_currency: str
    grants: list[RegionAmount] = Field(description="Funded: each region's grant to its partners, in its currency")
    shortfall: list[RegionAmount] = Field(description="Reserve: what each region lacked to fund it")
    reasons: list[str] = Field(description="Not passed or ineligible: why (English)")


# --- two-stage calls: the shortlist ---------------------------------------------------------------

Factor = Annotated[Decimal, Field(gt=0, le=20, max_digits=4, decimal_places=2)]


class ShortlistIn(_In):
    """What-if parameters (each optional: the call's own otherwise)."""

    factor: Factor | None = Field(default=None, description="Oversubscription factor for every region")
    region_factors: dict[RegionCode, Factor] = Field(
        default_factory=dict, max_length=limits.MAX_REGIONS, description="Region code -> its factor"
    )
    budgets: dict[RegionCode, NonNegativeAmount] = Field(
        default_factory=dict, max_length=limits.MAX_REGIONS, description="Region code -> budget, its currency"
    )


class ShortlistLineOut(BaseModel):
    position: int
    pre_proposal_id: uuid.UUID
    acronym: str
    status: Literal["invited", "cap_reached", "no_go", "below_threshold"]
    requested: dict[str, Decimal] = Field(description="Region code -> indicative request, in its currency")
    reasons: list[str]


class ShortlistRegionOut(BaseModel):
    region_code: str
    currency: str
    budget: Decimal = Field(description="Available, in the region's currency")
    factor: Decimal
    cap: Decimal = Field(description="factor x budget")
    requested: Decimal = Field(description="By the invited pre-proposals")
    factor_reached: Decimal | None = Field(description="requested / budget; none for a zero budget")
    invited_proposals: int
    cap_reached_proposals: int = Field(description="Pre-proposals left out because this region's cap was reached")
    budget_reporting: Decimal
    cap_reporting: Decimal
    requested_reporting: Decimal


class ShortlistOut(BaseModel):
    call_id: uuid.UUID
    parameters: dict[str, object]
    reporting_currency: str
    proposals: list[ShortlistLineOut] = Field(description="In stage-1 rank order")
    regions: list[ShortlistRegionOut]
    cap_reached: list[uuid.UUID] = Field(description="The pre-proposals left out only because of a region's cap")
    ineligible: list[uuid.UUID]
    pending: list[uuid.UUID] = Field(description="Not ready: awaiting eligibility or a final stage-1 score")


class ShortlistDecisionOut(BaseModel):
    call_id: uuid.UUID
    parameters: dict[str, object]
    invited: int
    outcomes: list[dict[str, object]]
    regions: list[dict[str, object]]
    confirmations: dict[str, dict[str, str] | None] = Field(description="Region code -> who confirmed, when")
    decided_by: str
    decided_at: datetime
    published_at: datetime | None


class FitIn(_In):
    go: bool
    reason: Reason


class FitOut(BaseModel):
    pre_proposal_id: uuid.UUID
    region_code: str
    go: bool
    reason: str
    decided_by: str
    decided_at: datetime


class ReserveOfferOut(BaseModel):
    call_id: uuid.UUID
    offer_round: int
    status: str = Field(description="proposed, superseded, funded or nothing_fundable")
    proposals: list[ReserveGrant] = Field(description="A region sees only its own grants")
    budgets: list[RegionAmount] = Field(description="Available before the offer; a region sees its own")
    regions_to_confirm: list[str]
    confirmed_by: list[str]
    proposed_at: datetime
    funded_at: datetime | None


class DocumentGrantOut(BaseModel):
    proposal_id: uuid.UUID
    version: int = Field(description="The submitted version being evaluated: the grant reads its documents")
    grant: str = Field(description="Send as the X-Document-Grant header to proposal_intake's document routes")
    expires_at: datetime
    documents_path: str = Field(description="proposal_intake's list of the documents the grant reads")
