"""Request and response bodies of project_monitoring.

Money a principal may not see (another region's partners' and grants') is absent (null), never zero.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared import decimals, limits
from shared.money import Amount, CurrencyCode, Money
from shared.text import StorableModel

from ..domain.contracting import ContractAction

Figure = decimals.Figure
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class _In(StorableModel):
    model_config = ConfigDict(extra="forbid")


class ContractStepIn(_In):
    action: ContractAction
    reference: str | None = Field(
        default=None, min_length=1, max_length=200, description="Signing: required, the agreement's number"
    )
    signed_on: date | None = Field(default=None, description="Signing: the date signed (today if absent)")
    reason: str | None = Field(
        default=None, min_length=1, max_length=2000, description="Declining, withdrawing: required"
    )


class DocumentRef(_In):
    """A document stored by proposal_intake (its id and content hash); its bytes are never copied here."""

    document_id: str = Field(min_length=1, max_length=100)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str = Field(min_length=1, max_length=300)


class StatementIn(_In):
    currency: CurrencyCode
    costs: dict[Slug, Figure] = Field(
        max_length=limits.MAX_COST_CATEGORIES, description="Costs incurred this period, by cost category"
    )


class ReportIn(_In):
    narrative: str = Field(min_length=1, max_length=50_000)
    document: DocumentRef | None = None
    indicators: dict[Slug, Figure] = Field(
        default_factory=dict, max_length=limits.MAX_INDICATORS, description="Per-project indicators"
    )
    partner_indicators: dict[Key, Annotated[dict[Slug, Figure], Field(max_length=limits.MAX_INDICATORS)]] = Field(
        default_factory=dict, max_length=limits.MAX_PARTNERS, description="Per partner key, the per-partner indicators"
    )
    statements: dict[Key, StatementIn] = Field(
        default_factory=dict,
        max_length=limits.MAX_PARTNERS,
        description="Per partner key, its financial statement in its own currency",
    )


class ReviewIn(_In):
    action: Literal["accept", "request_changes"]
    comment: str | None = Field(default=None, min_length=1, max_length=5000)


class GrantOut(BaseModel):
    region_code: str
    currency: str
    amount: Amount | None = Field(description="Null for another region's grant")
    payment_held: bool | None
    hold_reason: str | None = None


class ContractOut(BaseModel):
    partner_id: str
    partner_key: str
    organisation_name: str
    region_code: str
    role: str
    status: str
    offered_at: datetime
    due_at: datetime
    overdue: bool
    settled_at: datetime | None
    reference: str | None
    reason: str | None
    amount: Money | None = Field(description="Null for another region's partner")


class ReportSummaryOut(BaseModel):
    period: int
    final: bool
    due_at: datetime
    status: str
    overdue: bool


class ProjectSummaryOut(BaseModel):
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    acronym: str
    rank: int | None
    status: str
    funded_by: str
    funded_at: datetime
    started_at: datetime | None


class ProjectOut(ProjectSummaryOut):
    cancelled_reason: str | None
    grants: list[GrantOut]
    partners: list[ContractOut]
    reports: list[ReportSummaryOut]


class StatementOut(BaseModel):
    partner_key: str
    region_code: str
    currency: str
    costs: dict[str, Amount]
    total: Money


class ReviewOut(BaseModel):
    region_code: str
    status: str
    comment: str | None = None
    by: str | None = None
    at: datetime | None = None


class ReportOut(BaseModel):
    proposal_id: uuid.UUID
    period: int
    final: bool
    starts_at: datetime
    ends_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    submitted_at: datetime | None
    submissions: int
    narrative: str | None
    document: DocumentRef | None
    indicators: dict[str, Decimal]
    partner_indicators: dict[str, dict[str, Decimal]]
    statements: list[StatementOut] = Field(description="A region sees its own partners' statements only")
    reviews: list[ReviewOut]


class MoneyLine(BaseModel):
    currency: str
    amount: Amount
    in_reporting_currency: Amount


class IndicatorLine(BaseModel):
    key: str
    name: str
    unit: str
    total: Decimal = Field(description="Summed over accepted reports")
    target: Decimal | None = Field(description="Target per project times the projects started")


class MonitoringOut(BaseModel):
    call_id: uuid.UUID
    region: str | None = Field(description="Null: the whole call (agency)")
    reporting_currency: str
    projects: dict[str, int] = Field(description="Projects by status")
    reports: dict[str, int] = Field(description="Reports by status; overdue apart from due")
    payments_held: int
    indicators: list[IndicatorLine]
    committed: list[MoneyLine] = Field(description="The grants, per currency")
    reported_costs: list[MoneyLine] = Field(description="Costs in the submitted reports, per currency")
    time_to_contract_days: Decimal | None
    time_to_contract_days_by_region: dict[str, Decimal | None]
