"""Request and response bodies of regional_eligibility."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from shared import limits
from shared.text import StorableModel
from shared.webhooks import Outcome

from ..domain.checks import CheckVerdict
from ..domain.webhooks import DeliveryStatus, SubscriptionStatus


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


class CheckDecisionOut(BaseModel):
    at: datetime
    actor: str = Field(
        description="Who decided: the role and the person (the token's subject), e.g. `region:AT-4 (3f2a...)`"
    )
    action: str = Field(description="check.confirm, check.override or check.close")
    before: dict[str, Any] | None = Field(description="The verdict and who had decided it, before")
    after: dict[str, Any] | None = Field(description="The verdict after")
    reason: str | None
    correlation_id: str | None


class CheckHistoryOut(BaseModel):
    check: CheckOut
    decisions: list[CheckDecisionOut] = Field(description="Every decision on the check, oldest first")


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


class ApplicantReasonOut(BaseModel):
    rule: str = Field(examples=["regional.funding_rate", "consortium.min_partners"])
    region_code: str = Field(description="The region whose rule it is, or `consortium` for the call's rules")
    text: str = Field(description="The rule's reason as the rules state it, with its numbers (English)")
    details: dict[str, str] = Field(description="The numbers behind it as exact strings, e.g. requested, limit, rate")
    decided_by: Literal["rules", "officers"] = Field(
        description="rules: the automatic verdict stands; officers: the region's officers (or, for the consortium, "
        "the agency) confirmed it, overrode it or closed a manual item"
    )
    overridden: bool = Field(description="The officers changed the automatic verdict")


class PartyOutcomeOut(BaseModel):
    partner_id: str | None = Field(description="Null for the consortium as a whole")
    organisation_name: str = Field(description="The partner's name; the proposal's acronym for the consortium")
    region_code: str = Field(description="The partner's region, or `consortium`")
    participating: bool = Field(description="False: a partner from outside the call's regions, at its own cost")
    status: Literal["awaiting_deadline", "checking", "decided", "withdrawn"] = Field(
        description="checking: items are still with the region's officers (see `pending`)"
    )
    verdict: Literal["pending", "eligible", "not_eligible"]
    dropped: bool = Field(description="Not eligible and dropped from the proposal (the call's drop_partner policy)")
    reasons: list[ApplicantReasonOut] = Field(description="Once decided: every rule broken")
    pending: list[ApplicantReasonOut] = Field(description="While checking: the items left to the officers")


class ApplicantOutcomeOut(BaseModel):
    """What a consortium sees of its own proposal's eligibility: no officer's note, nor who decided."""

    proposal_id: uuid.UUID
    call_id: uuid.UUID
    version: int = Field(description="The submitted version judged (the last one before the deadline)")
    acronym: str
    status: Literal["awaiting_deadline", "checking", "decided", "withdrawn"] = Field(
        description="awaiting_deadline: the checks open when the call closes"
    )
    outcome: Literal["pending", "eligible", "not_eligible"]
    reasons: list[str] = Field(description="Once decided, the outcome's reasons, each naming its subject (English)")
    decided_at: datetime | None
    partners: list[PartyOutcomeOut]
    consortium: PartyOutcomeOut = Field(description="The call's rules on the consortium as a whole")


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

    url: AnyHttpUrl = Field(
        max_length=limits.MAX_URL_LENGTH,
        description="https only (plain http only where the operator allows it for development); no user name or "
        "password; a host that is, or resolves to, a globally routable address unless the operator allow-lists it",
    )
    secret: str = Field(min_length=16, max_length=200, description="Used to sign every delivery (HMAC-SHA256)")


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    region_code: str
    url: str
    status: SubscriptionStatus = Field(
        description="active; suspended (after too many failed attempts in a row: nothing is sent until you resume "
        "it); deleted"
    )
    consecutive_failures: int = Field(description="Failed attempts in a row; the circuit suspends at its limit")
    suspended_at: datetime | None
    created_at: datetime


class DeliveryOut(BaseModel):
    event_id: int
    status: DeliveryStatus = Field(
        description="pending, delivered, failed (attempts exhausted), cancelled (unsubscribed) or suspended (held "
        "while its subscription is suspended)"
    )
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None = Field(description="The receiver's HTTP status, when it answered")
    last_outcome: Outcome | None = Field(description="What came of the last attempt, as a coarse class")
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
