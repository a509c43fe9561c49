"""ORM models of call_definition, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import Audited, add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import add_messaging_tables
from shared.status_checks import status_check

from .domain.amendments import VersionKind
from .domain.lifecycle import CallStatus


class Base(DeclarativeBase):
    metadata = MetaData()


class Call(Base):
    """A call as it stands: its current configuration and its recorded status."""

    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))  # domain.lifecycle.CallStatus
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)  # configuration versions: 1 at publication, +1 per amendment
    revision: Mapped[int] = mapped_column(Integer)  # every change, status included (ETag, event ordering)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the clock next changes the recorded status (a stage opens or closes); None: nothing left for it.
    clock_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    @property
    def audited(self) -> Audited:
        """The call as its audit records name it."""
        return Audited("call", self.id, self.id)

    __table_args__ = (
        Index("ix_calls_clock", "status", "deadline"),
        Index("ix_calls_clock_due", "clock_due_at"),
        status_check("calls", "status", CallStatus),
    )


class CallVersion(Base):
    """Every published version of a call's configuration, with who changed it, when and why."""

    __tablename__ = "call_versions"

    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    configuration: Mapped[dict[str, Any]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(40))  # domain.amendments.VersionKind
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (status_check("call_versions", "kind", VersionKind),)


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
