"""ORM models of regional_eligibility, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.readmodel import add_call_copy_table


class Base(DeclarativeBase):
    metadata = MetaData()


class ProposalCase(Base):
    """A proposal's eligibility case: one per proposal, following its latest submitted version."""

    __tablename__ = "proposal_cases"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    acronym: Mapped[str] = mapped_column(String(50))
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20))  # pending | eligible | not_eligible
    reasons: Mapped[list[str]] = mapped_column(JSON)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PartnerCheck(Base):
    """One rule checked for one partner of one proposal version, with its verdict in words."""

    __tablename__ = "partner_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(36))
    proposal_version: Mapped[int] = mapped_column(Integer)
    partner_id: Mapped[str] = mapped_column(String(80))
    organisation_name: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(12))
    rule: Mapped[str] = mapped_column(String(80))
    verdict: Mapped[str] = mapped_column(String(20))  # pass | fail | needs_human
    reason: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_checks_proposal", "proposal_id", "proposal_version"),
        Index("ix_checks_region", "region_code", "id"),
    )


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)
