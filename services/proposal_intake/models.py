"""ORM models of proposal_intake, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.readmodel import add_call_copy_table


class Base(DeclarativeBase):
    metadata = MetaData()


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    applicant_id: Mapped[str] = mapped_column(String(100))
    acronym: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_proposals_call", "call_id", "id"),
        Index("ix_proposals_applicant", "applicant_id", "id"),
    )


class ProposalVersion(Base):
    """Every submitted version stays readable; the last one before the deadline counts."""

    __tablename__ = "proposal_versions"

    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_by: Mapped[str] = mapped_column(String(200))


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)
