"""ORM models of regional_eligibility, on its own metadata (its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import add_audit_table
from shared.db import UtcDateTime
from shared.messaging.tables import BigId, add_messaging_tables
from shared.readmodel import add_call_copy_table
from shared.status_checks import status_check
from shared.webhooks import Outcome

from .domain.checks import CheckVerdict
from .domain.lifecycle import CaseFeedKind, CaseOutcome, CaseStatus
from .domain.notices import NoticeKind
from .domain.webhooks import DeliveryStatus, SubscriptionStatus


class Base(DeclarativeBase):
    metadata = MetaData()


class ProposalCase(Base):
    """A proposal's eligibility: its final submitted version, its checks, its outcome."""

    __tablename__ = "proposal_cases"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    acronym: Mapped[str] = mapped_column(String(50))
    submission: Mapped[dict[str, Any]] = mapped_column(JSON)  # the proposal.submitted payload
    status: Mapped[str] = mapped_column(String(20))  # domain.lifecycle.CaseStatus
    outcome: Mapped[str] = mapped_column(String(20))  # domain.lifecycle.CaseOutcome
    reasons: Mapped[list[str]] = mapped_column(JSON)
    decision_version: Mapped[int] = mapped_column(Integer)  # +1 each time a (changed) outcome is announced
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        status_check("proposal_cases", "status", CaseStatus),
        status_check("proposal_cases", "outcome", CaseOutcome),
    )


class PartnerCheck(Base):
    """One rule on one partner (or on a region's partners together, or the consortium), its
    automatic verdict and what the region's officers made of it."""

    __tablename__ = "partner_checks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposal_cases.proposal_id"))
    call_id: Mapped[str] = mapped_column(String(36))
    proposal_version: Mapped[int] = mapped_column(Integer)
    partner_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    organisation_name: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(12))  # or "consortium"
    rule: Mapped[str] = mapped_column(String(80))
    automatic_verdict: Mapped[str] = mapped_column(String(20))  # domain.checks.CheckVerdict
    verdict: Mapped[str] = mapped_column(String(20))  # domain.checks.CheckVerdict
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    current: Mapped[bool] = mapped_column(Boolean)  # False once a newer version or a withdrawal replaced it
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_checks_proposal", "proposal_id", "current"),
        Index("ix_checks_region", "region_code", "current", "id"),
        status_check("partner_checks", "automatic_verdict", CheckVerdict),
        status_check("partner_checks", "verdict", CheckVerdict),
    )


class RegionEvent(Base):
    """The change feed of one region: what its back office must know, in commit order."""

    __tablename__ = "region_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(12))
    type: Mapped[str] = mapped_column(String(40))  # domain.lifecycle.CaseFeedKind, domain.notices.NoticeKind
    proposal_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_region_events_region", "region_code", "id"),
        status_check("region_events", "type", [*CaseFeedKind, *NoticeKind]),
    )


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # domain.webhooks.SubscriptionStatus
    consecutive_failures: Mapped[int] = mapped_column(Integer)  # failed attempts in a row: the circuit's count
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (status_check("webhook_subscriptions", "status", SubscriptionStatus),)


class WebhookDelivery(Base):
    """One feed event to one subscription: retried with exponential backoff and jitter, in feed order.

    A delivery being attempted is claimed by moving `next_attempt_at` past the attempt's deadline (a lease: a
    worker that dies mid-attempt leaves it due again) and counting the attempt; its result is recorded only
    if that count still matches."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("region_events.id"))
    status: Mapped[str] = mapped_column(String(20))  # domain.webhooks.DeliveryStatus
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_outcome: Mapped[str | None] = mapped_column(String(30), nullable=True)  # shared.webhooks.Outcome
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        Index("ix_deliveries_due", "status", "subscription_id", "event_id"),
        status_check("webhook_deliveries", "status", DeliveryStatus),
        status_check("webhook_deliveries", "last_outcome", Outcome),
    )


messaging = add_messaging_tables(Base.metadata)
audit_log = add_audit_table(Base.metadata)
call_copies = add_call_copy_table(Base.metadata)
