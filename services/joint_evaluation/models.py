"""ORM models of joint_evaluation, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import Audited, add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.readmodel import add_call_copy_table
from shared.status_checks import status_check

from .domain.assessment import AssessmentStatus
from .domain.funding import FundingTrigger
from .domain.reserve import OfferStatus
from .domain.status import Eligibility


class Base(DeclarativeBase):
    metadata = MetaData()


class EvaluationEntry(Base):
    """A proposal as evaluation knows it. Filled from proposal.submitted, eligibility.decided and
    proposal.withdrawn, in whichever order they arrive."""

    __tablename__ = "evaluation_entries"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    proposal_version: Mapped[int] = mapped_column(Integer, default=0)
    acronym: Mapped[str | None] = mapped_column(String(50), nullable=True)
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    abstract: Mapped[str | None] = mapped_column(Text, nullable=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # the proposal's S3 areas
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # PartnerSnapshot, as JSON
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    eligibility_version: Mapped[int] = mapped_column(Integer, default=0)  # the proposal version decided
    decision_version: Mapped[int] = mapped_column(Integer, default=0)
    eligibility: Mapped[str] = mapped_column(String(20), default=Eligibility.PENDING)  # domain.status.Eligibility
    eligibility_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # ReasonDetail as JSON, one per reason: whom it is about, the rule, the numbers
    eligibility_reason_details: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    ineligible_partners: Mapped[list[str]] = mapped_column(JSON, default=list)  # partner ids
    dropped_partners: Mapped[list[str]] = mapped_column(JSON, default=list)  # partner ids
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Two-stage calls: 1 a pre-proposal, 2 a full proposal bound to its pre-proposal (one-stage calls: 1).
    stage: Mapped[int] = mapped_column(Integer, server_default="1", default=1)
    pre_proposal_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    applicant_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Bumped by the ORM on every write of the entry (its version counter): the sum over a call's entries changes
    # with any change to any of them (no entry is ever deleted), so what is kept of them (the funding preview) is
    # kept by it. An `updated_at` key is not enough: two changes may happen at the same instant.
    revision: Mapped[int] = mapped_column(Integer, server_default="1")

    __table_args__ = (
        Index("ix_entries_call", "call_id", "proposal_id"),
        status_check("evaluation_entries", "eligibility", Eligibility),
    )
    __mapper_args__ = {"version_id_col": revision}

    @property
    def current_eligibility(self) -> str:
        """The outcome, if it was decided on the version that counts; otherwise still pending."""
        return self.eligibility if self.eligibility_version == self.proposal_version else Eligibility.PENDING

    @property
    def evaluable(self) -> bool:
        return self.withdrawn_at is None and self.current_eligibility == Eligibility.ELIGIBLE

    @property
    def audited(self) -> Audited:
        """The proposal, as its changes (a fit, a consensus, a conflict, a grant of documents) are recorded."""
        return Audited("proposal", self.proposal_id, self.call_id)


class Evaluator(Base):
    """An independent expert registered by an agency for one call."""

    __tablename__ = "evaluators"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(300))
    organisation_legal_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    country: Mapped[str] = mapped_column(String(2))
    region_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    expertise: Mapped[list[str]] = mapped_column(JSON)
    max_load: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_evaluators_call", "call_id", "id"),)

    @property
    def audited(self) -> Audited:
        return Audited("evaluator", self.id, self.call_id)


class DeclaredConflict(Base):
    """An evaluator's own declaration of a conflict of interest with a proposal."""

    __tablename__ = "declared_conflicts"

    evaluator_id: Mapped[str] = mapped_column(ForeignKey("evaluators.id"), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_conflicts_proposal", "proposal_id"),)


class AssignedPair(Base):
    """One evaluator assigned to one proposal (removed when a conflict is declared later)."""

    __tablename__ = "assignments"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    evaluator_id: Mapped[str] = mapped_column(ForeignKey("evaluators.id"), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_assignments_call", "call_id", "proposal_id"),
        Index("ix_assignments_evaluator", "evaluator_id", "proposal_id"),
    )


class Assessment(Base):
    """One evaluator's scores and justifications for one proposal: a draft until submitted, then locked."""

    __tablename__ = "assessments"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    evaluator_id: Mapped[str] = mapped_column(ForeignKey("evaluators.id"), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    scores: Mapped[dict[str, str]] = mapped_column(JSON)  # criterion key -> decimal as text
    justifications: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # domain.assessment.AssessmentStatus
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (status_check("assessments", "status", AssessmentStatus),)


class Consensus(Base):
    """A proposal's consensus: the rapporteur's overrides, then the final scores once finalised."""

    __tablename__ = "consensus"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    overrides: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON)  # key -> {score, justification}
    scores: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)  # final, once finalised
    finalised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finalised_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CallProgress(Base):
    """Where a call's evaluation stands; its row also serialises the call-wide steps (locked for update)."""

    __tablename__ = "call_progress"

    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    shortfalls: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # of the latest assignment
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ranking: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)  # fixed at completion
    funding_version: Mapped[int] = mapped_column(Integer)  # 0: no funding decided yet
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FundingRound(Base):
    """One version of the funding decisions: the funding.decided payload as announced."""

    __tablename__ = "funding_rounds"

    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(20))  # domain.funding.FundingTrigger
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (status_check("funding_rounds", "trigger", FundingTrigger),)


class FundingDecline(Base):
    """A region declines to fund its partners in a proposal: the walk skips the proposal from then on."""

    __tablename__ = "funding_declines"

    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    declined_by: Mapped[str] = mapped_column(String(200))
    declined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    funding_version: Mapped[int] = mapped_column(Integer)  # the version it declined


class RegionConfirmation(Base):
    """A region confirmed its part of the decisions; it holds while that part stays the same."""

    __tablename__ = "region_confirmations"

    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    funding_version: Mapped[int] = mapped_column(Integer)
    part: Mapped[list[list[str]]] = mapped_column(JSON)  # [proposal id, grant] of what it funds
    confirmed_by: Mapped[str] = mapped_column(String(200))
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FundsRelease(Base):
    """Money given back after the results (funds.released from project_monitoring), per region."""

    __tablename__ = "funds_releases"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    proposal_id: Mapped[str] = mapped_column(String(36))
    released: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{region_code, amount, currency}]
    project_cancelled: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReserveOffer(Base):
    """One walk down the reserve list with money given back; the regions confirm, the agency funds it.
    A newer release supersedes an offer not yet funded."""

    __tablename__ = "reserve_offers"

    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    offer_round: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # domain.reserve.OfferStatus
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # ReserveGrant payloads, in rank order
    budgets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # available before the offer, per region
    confirmations: Mapped[dict[str, Any]] = mapped_column(JSON)  # region -> {by, at}
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    funded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    funded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (status_check("reserve_offers", "status", OfferStatus),)


class RegionFit(Base):
    """A region's stage-1 assessment of a pre-proposal's fit with its programme: go, or no-go with a reason."""

    __tablename__ = "region_fit"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    go: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_region_fit_call", "call_id"),)


class ShortlistDecision(Base):
    """The agency's decided shortlist of a two-stage call (parameters and every outcome), until published."""

    __tablename__ = "shortlist_decisions"

    call_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)  # factor, region_factors, budgets
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # InvitationOutcome, as JSON
    regions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the per-region report
    confirmations: Mapped[dict[str, Any]] = mapped_column(JSON)  # region code -> who, when
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)


def call_audited(call_id: str) -> Audited:
    """The call as a whole, as its call-wide changes (an assignment, the ranking, the funding) are recorded."""
    return Audited("call", call_id, call_id)
