"""ORM models of project_monitoring, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Dialect, ForeignKey, Index, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import Audited, add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.readmodel import add_call_copy_table
from shared.status_checks import status_check

from .domain.contracting import ContractStatus, ProjectStatus
from .domain.reporting import ReportStatus


class Amount(TypeDecorator[Decimal]):
    """An exact amount stored as its text (SQLite has no decimal type; every sum is done in Python)."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    metadata = MetaData()


class ProposalCopy(Base):
    """What a funded project is made of: the proposal's last submitted version and the partners eligibility
    dropped (from proposal.submitted and eligibility.decided)."""

    __tablename__ = "proposal_copies"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    submission: Mapped[dict[str, Any]] = mapped_column(JSON)  # the proposal.submitted payload
    excluded_partners: Mapped[list[str]] = mapped_column(JSON)  # dropped or found not eligible
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Project(Base):
    """A funded proposal, from its contracting to its final report."""

    __tablename__ = "projects"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    acronym: Mapped[str] = mapped_column(String(50))
    applicant_id: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # domain.contracting.ProjectStatus
    funded_by: Mapped[str] = mapped_column(String(40))  # results | reserve offer <n>
    funded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def audited(self) -> Audited:
        """The project as its audit records name it."""
        return Audited("project", self.proposal_id, self.call_id)

    __table_args__ = (
        Index("ix_projects_call", "call_id", "proposal_id"),
        status_check("projects", "status", ProjectStatus),
    )


class Grant(Base):
    """One region's grant to a project: its partners' money, in the region's currency."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("projects.proposal_id"))
    call_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Amount())
    payment_held: Mapped[bool] = mapped_column(Boolean)
    hold_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ux_grants_project_region", "proposal_id", "region_code", unique=True),
        Index("ix_grants_region", "region_code", "call_id"),
    )


class PartnerContract(Base):
    """A region's offer to one of its partners, and where the contracting stands."""

    __tablename__ = "partner_contracts"

    partner_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("projects.proposal_id"), index=True)
    call_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(12))
    organisation_name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Amount())
    status: Mapped[str] = mapped_column(String(20))  # domain.contracting.ContractStatus
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    overdue_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released: Mapped[bool] = mapped_column(Boolean)  # its money went back to the region

    @property
    def audited(self) -> Audited:
        return Audited("partner_contract", self.partner_id, self.call_id)

    __table_args__ = (
        Index("ix_contracts_due", "status", "overdue_since", "due_at"),
        status_check("partner_contracts", "status", ContractStatus),
    )


class Report(Base):
    """One reporting period of a project: due, then the coordinator's joint report and each region's review."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("projects.proposal_id"))
    call_id: Mapped[str] = mapped_column(String(36))
    period: Mapped[int] = mapped_column(Integer)
    final: Mapped[bool] = mapped_column(Boolean)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))  # domain.reporting.ReportStatus
    overdue_since: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    submissions: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str | None] = mapped_column(Text, nullable=True)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # reference to intake's document
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"project": {key: n}, "partners": {id: {key: n}}}
    statements: Mapped[dict[str, Any]] = mapped_column(JSON)  # partner id -> {"currency", "costs": {cat: n}}
    reviews: Mapped[dict[str, Any]] = mapped_column(JSON)  # region -> {"status", "comment", "by", "at"}

    @property
    def audited(self) -> Audited:
        return Audited("report", f"{self.proposal_id}:{self.period}", self.call_id)

    __table_args__ = (
        Index("ux_reports_project_period", "proposal_id", "period", unique=True),
        Index("ix_reports_due", "status", "overdue_since", "due_at"),
        status_check("reports", "status", ReportStatus),
    )


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)
