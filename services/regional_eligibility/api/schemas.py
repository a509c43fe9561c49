"""Request and response bodies of regional_eligibility."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from shared import limits
from shared.text import StorableModel

from ..domain.checks import CheckVerdict


class CheckOut(BaseModel):
    id: int
    proposal_id: uuid.UUID
    proposal_version: int
    partner_id: str | None
    organisation_name: str
    region_code: str = Field(description="The region that decides it, or `consortium` (the agency decides)")
    rule: str
    automatic_verdict: CheckVerdict
    verdict: CheckVerdict
    reason: str
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None
    checked_at: datetime


class CaseOut(BaseModel):
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    version: int
    acronym: str
    status: str = Field(description="awaiting_deadline, checking, decided or withdrawn")
    outcome: str = Field(description="pending, eligible or not_eligible")
    reasons: list[str]
    decision_version: int
    decided_at: datetime | None
    checks: list[CheckOut]


class PartnerOut(BaseModel):
    partner_id: str
    proposal_id: uuid.UUID
    region_code: str
    data: dict[str, Any] = Field(description="The partner as submitted")
    checks: list[CheckOut]


class DecisionIn(StorableModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["confirm", "override", "close"] = Field(
        description="confirm an automatic verdict, override it, or close a manual item"
    )
    verdict: Literal["pass", "fail"] | None = Field(default=None, description="Needed to override or close")
    reason: str = Field(min_length=3, max_length=2000)


class SubscriptionIn(StorableModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(max_length=limits.MAX_URL_LENGTH)
    secret: str = Field(min_length=16, max_length=200, description="Used to sign every delivery (HMAC-SHA256)")


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    region_code: str
    url: str
    active: bool
    created_at: datetime


class DeliveryOut(BaseModel):
    event_id: int
    status: str = Field(description="pending, delivered, failed (attempts exhausted) or cancelled (unsubscribed)")
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


class FeedEventOut(BaseModel):
    id: int
    type: str
    region: str
    proposal_id: uuid.UUID
    created_at: datetime
    data: dict[str, Any]


class FeedPage(BaseModel):
    items: list[FeedEventOut]
    next_after: int = Field(description="Pass it back as `after` to continue; it does not move when nothing is new")


class RegionProgress(BaseModel):
    region_code: str
    checks: int
    decided: int
    pending: int
    overdue: int
