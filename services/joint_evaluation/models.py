"""ORM models of joint_evaluation, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.readmodel import add_call_copy_table


class Base(DeclarativeBase):
    metadata = MetaData()


class EvaluationEntry(Base):
    """A proposal as evaluation knows it. Filled from proposal.submitted and eligibility.decided,
    in whichever order they arrive."""

    __tablename__ = "evaluation_entries"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36))
    proposal_version: Mapped[int] = mapped_column(Integer, default=0)
    acronym: Mapped[str | None] = mapped_column(String(50), nullable=True)
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    eligibility_version: Mapped[int] = mapped_column(Integer, default=0)
    eligibility: Mapped[str] = mapped_column(String(20), default="pending")  # pending | eligible | not_eligible
    eligibility_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_entries_call", "call_id", "proposal_id"),)


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)
