"""ORM models of proposal_intake, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import Audited, add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.readmodel import add_call_copy_table
from shared.status_checks import status_check

from .domain.lifecycle import InvitationStatus, ProposalStatus


class Base(DeclarativeBase):
    metadata = MetaData()


class Proposal(Base):
    """A consortium's proposal: its working draft, and the number of its latest submitted version."""

    __tablename__ = "proposals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    applicant_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # domain.lifecycle.ProposalStatus
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    draft_revision: Mapped[int] = mapped_column(Integer)  # the ETag: +1 on every change
    current_version: Mapped[int] = mapped_column(Integer)  # 0 until first submitted
    acronym: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # What the last pre-check found that a submission needs (domain.precheck.SubmissionVerdicts), and what it
    # was judged on (verdicts_key): a submission of the same draft under the same call reuses it.
    verdicts_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    verdicts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Two-stage calls: 1 a pre-proposal (or the only stage), 2 a full proposal bound to its pre-proposal.
    stage: Mapped[int] = mapped_column(Integer, server_default="1")
    pre_proposal_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    __table_args__ = (
        Index("ix_proposals_call", "call_id", "id"),
        Index("ix_proposals_applicant", "applicant_id", "id"),
        # The dashboard counts a call's proposals by status and by when they were started from the index alone.
        Index("ix_proposals_call_status", "call_id", "status", "created_at"),
        Index("ux_proposals_pre_proposal", "pre_proposal_id", unique=True),  # one full proposal per pre-proposal
        status_check("proposals", "status", ProposalStatus),
    )

    @property
    def audited(self) -> Audited:
        return Audited("proposal", self.id, self.call_id)


class ProposalVersion(Base):
    """Every submitted version stays readable; the last one before the deadline counts."""

    __tablename__ = "proposal_versions"

    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[str]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_by: Mapped[str] = mapped_column(String(200))

    # The dashboard counts a call's submissions by when they came from the index alone, never reading the
    # versions' content.
    __table_args__ = (Index("ix_proposal_versions_submitted", "proposal_id", "version", "submitted_at"),)


class IdempotentSubmission(Base):
    """A submit request's Idempotency-Key and the receipt it produced: a retry gets the same receipt."""

    __tablename__ = "idempotent_submissions"

    applicant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RegionPartner(Base):
    """Partners of the latest submitted versions, by region: what a regional back office may read."""

    __tablename__ = "region_partners"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    partner: Mapped[dict[str, Any]] = mapped_column(JSON)
    acronym: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_region_partners_region", "region_code", "call_id", "proposal_id"),
        # The dashboard's counts of a call's partners by region and by proposal, read from the index alone.
        Index("ix_region_partners_call", "call_id", "proposal_id", "region_code"),
    )


class Invitation(Base):
    """A pre-proposal's outcome at the shortlist of a two-stage call, as joint_evaluation published it."""

    __tablename__ = "invitations"

    pre_proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    applicant_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # domain.lifecycle.InvitationStatus (the shortlist's outcome)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    stage_two_opens: Mapped[datetime] = mapped_column(UtcDateTime)
    stage_two_deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_invitations_call", "call_id"),
        status_check("invitations", "status", InvitationStatus),
    )


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)

from . import document_tables as document_tables  # noqa: E402  (the documents' tables, on this metadata)
