"""ORM models of s3_strategy, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData()


class Region(Base):
    """A region taking part in the S3 analysis, and where its priorities come from."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)  # +1 on every change of the region or its priorities
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))


class PriorityRow(Base):
    """One S3 priority of a region, coded as Eye@RIS3 codes it."""

    __tablename__ = "priorities"

    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    nace: Mapped[list[str]] = mapped_column(JSON)
    nabs: Mapped[list[str]] = mapped_column(JSON)
    objectives: Mapped[list[str]] = mapped_column(JSON)
    indicative_budget: Mapped[str | None] = mapped_column(String(24), nullable=True)  # exact decimal text
    programme: Mapped[str | None] = mapped_column(String(300), nullable=True)


class TopicCall(Base):
    """A call draft started from a topic: which call, from which topic, with which regions."""

    __tablename__ = "topic_calls"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(120), index=True)
    call_id: Mapped[str] = mapped_column(String(36))
    call_code: Mapped[str] = mapped_column(String(50))
    regions: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
