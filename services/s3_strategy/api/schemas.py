"""Request and response bodies of s3_strategy."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared import limits
from shared.calls import EvaluationConfig, RegionCode, Stage
from shared.decimals import NonNegativeAmount, PositiveAmount
from shared.text import StorableModel

Amount = PositiveAmount
CodeRef = Annotated[str, Field(max_length=80)]  # a NACE or NABS code, an objective key


class CodeOut(BaseModel):
    code: str
    title: str
    level: str
    parent: str | None


class CodeListOut(BaseModel):
    dimension: str
    name: str
    source: str
    codes: list[CodeOut]


class PriorityBody(StorableModel):
    key: Annotated[str, Field(max_length=limits.MAX_KEY_LENGTH)] = Field(
        examples=["advanced-manufacturing"], description="Unique within the region: a-z, 0-9, -"
    )
    title: Annotated[str, Field(max_length=limits.MAX_NAME_LENGTH)]
    description: str = Field(default="", max_length=5000)
    nace: list[CodeRef] = Field(
        default_factory=list, max_length=limits.MAX_CODES, description="NACE Rev.2 section letters or division numbers"
    )
    nabs: list[CodeRef] = Field(
        default_factory=list, max_length=limits.MAX_CODES, description="NABS 2007 chapters, 01-14"
    )
    objectives: list[CodeRef] = Field(
        default_factory=list, max_length=limits.MAX_CODES, description="Policy objective keys (GET /codes/objective)"
    )
    indicative_budget: NonNegativeAmount | None = Field(
        default=None, description="What the region could commit, its currency"
    )
    programme: str | None = Field(
        default=None, max_length=limits.MAX_NAME_LENGTH, description="The regional programme the money would come from"
    )


class RegionIn(StorableModel):
    """A region's whole set of priorities (replaces what was there)."""

    name: Annotated[str, Field(max_length=limits.MAX_NAME_LENGTH)]
    currency: Annotated[str, Field(max_length=3)] = "EUR"
    source: str = Field(default="", max_length=2000, description="Where the priorities come from, or 'illustrative'")
    priorities: list[PriorityBody] = Field(max_length=limits.MAX_PRIORITIES)


class RegionOut(RegionIn):
    code: str
    revision: int


class ImportOut(BaseModel):
    regions: list[str]
    priorities: int


class MatrixOut(BaseModel):
    regions: list[str]
    names: list[str]
    combined: list[list[float]]
    coded: list[list[float]]
    text: list[list[float]]
    formula: str


class MatchingPriorityOut(BaseModel):
    key: str
    title: str
    programme: str | None
    indicative_budget: Decimal | None


class TopicRegionOut(BaseModel):
    code: str
    name: str
    currency: str
    indicative_budget: Decimal
    programmes: list[str]
    priorities: list[MatchingPriorityOut]


class TopicOut(BaseModel):
    id: str
    dimension: str
    code: str
    label: str
    region_count: int
    similarity: float
    total_budget: Decimal
    reporting_currency: str
    regions: list[TopicRegionOut]


class TopicsOut(BaseModel):
    k: int
    reporting_currency: str
    topics: list[TopicOut]


class RelatedDomainOut(BaseModel):
    id: str
    label: str
    density: float
    partners: list[str]


class StartCallIn(StorableModel):
    """The call's own fields; what the topic gives (S3 area, regions, budgets) is filled in."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(max_length=50)] = Field(examples=["ALP-S3-2027"])
    title: Annotated[str, Field(max_length=limits.MAX_NAME_LENGTH)] | None = None
    stages: list[Stage] = Field(min_length=1, max_length=2)
    evaluation: EvaluationConfig | None = None
    regions: list[RegionCode] | None = Field(
        default=None, max_length=limits.MAX_REGIONS, description="Only these of the topic's regions"
    )
    budgets: dict[RegionCode, Amount] = Field(
        default_factory=dict, max_length=limits.MAX_REGIONS, description="Instead of the indicative budgets"
    )
    region_rules: dict[RegionCode, dict[str, Any]] = Field(
        default_factory=dict,
        max_length=limits.MAX_REGIONS,
        description="Per region, fields of its annex (agency, funding_rates, ...)",
    )
    call: dict[str, Any] = Field(default_factory=dict, description="Any other field of the call configuration")


class TopicCallOut(BaseModel):
    id: str
    topic_id: str
    call_id: str
    call_code: str
    regions: list[str]
    created_by: str


class StartedCallOut(TopicCallOut):
    call: dict[str, Any]
