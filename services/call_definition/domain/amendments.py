"""Amendments: the only way a published call changes. Each makes a new version.

Pure: takes the current configuration and the amendment, returns the new configuration or the
reasons it is refused.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared import limits
from shared.calls import CallConfiguration, PositiveAmount, RegionCode, Text
from shared.document_types import DocumentType
from shared.errors import FieldError
from shared.wording import count

from .documents import change_document_types
from .lifecycle import CLOCK_DRIVEN, CallStatus
from .validation import validate_configuration


class VersionKind(StrEnum):
    """What made a version of a call's configuration: its publication, or one kind of amendment."""

    PUBLICATION = "publication"
    DEADLINE_EXTENSION = "deadline_extension"
    BUDGET_TOP_UP = "budget_top_up"
    TEXT_CORRECTION = "text_correction"
    DOCUMENT_TYPES = "document_types"


Reason = Annotated[str, Field(min_length=5, max_length=2000, description="Why: shown in the call's history")]


class _Amendment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class DeadlineExtension(_Amendment):
    kind: Literal["deadline_extension"]
    stage: int = Field(default=-1, description="Index of the stage; -1 (default) is the last stage")
    deadline: AwareDatetime


class BudgetTopUp(_Amendment):
    kind: Literal["budget_top_up"]
    region: RegionCode
    amount: PositiveAmount = Field(description="Added to the region's budget, in the region's currency")


class TextCorrection(_Amendment):
    kind: Literal["text_correction"]
    title: Text | None = None
    description: str | None = Field(default=None, max_length=20_000)
    topics: list[Text] | None = Field(default=None, max_length=limits.MAX_TOPICS)


class DocumentTypesChange(_Amendment):
    """The document types replaced as a whole (added, dropped, limits changed) before the final deadline."""

    kind: Literal["document_types"]
    documents: list[DocumentType] = Field(max_length=30, description="The call's document types from now on")


Amendment = Annotated[
    DeadlineExtension | BudgetTopUp | TextCorrection | DocumentTypesChange, Field(discriminator="kind")
]


def apply_amendment(
    config: CallConfiguration,
    status: CallStatus,
    amendment: DeadlineExtension | BudgetTopUp | TextCorrection | DocumentTypesChange,
    now: datetime,
) -> tuple[CallConfiguration, list[FieldError]]:
    if isinstance(amendment, DeadlineExtension):
        amended, errors = _extend(config, status, amendment, now)
    elif isinstance(amendment, BudgetTopUp):
        amended, errors = _top_up(config, status, amendment)
    elif isinstance(amendment, DocumentTypesChange):
        amended, errors = change_document_types(config, status, amendment.documents, now)
    else:
        amended, errors = _correct(config, amendment)
    if errors:
        return config, errors
    return amended, validate_configuration(amended)


def _extend(
    config: CallConfiguration, status: CallStatus, amendment: DeadlineExtension, now: datetime
) -> tuple[CallConfiguration, list[FieldError]]:
    if status not in CLOCK_DRIVEN:
        return config, [FieldError("kind", f"the call is already in {status.value}: its deadline can no longer move")]
    if not -len(config.stages) <= amendment.stage < len(config.stages):
        return config, [FieldError("stage", f"the call has {count(len(config.stages), 'stage')}")]
    stage = config.stages[amendment.stage]
    if amendment.deadline <= stage.deadline:
        return config, [
            FieldError(
                "deadline", f"an extension must be later than the current deadline ({stage.deadline.isoformat()})"
            )
        ]
    if amendment.deadline <= now:
        return config, [FieldError("deadline", "the new deadline has already passed")]
    stages = list(config.stages)
    stages[amendment.stage] = stage.model_copy(update={"deadline": amendment.deadline})
    return config.model_copy(update={"stages": stages}), []


def _top_up(
    config: CallConfiguration, status: CallStatus, amendment: BudgetTopUp
) -> tuple[CallConfiguration, list[FieldError]]:
    if status is CallStatus.RESULTS_PUBLISHED:
        return config, [FieldError("kind", "the results are published: budgets are final")]
    region = config.region(amendment.region)
    if region is None:
        return config, [FieldError("region", f"{amendment.region} does not take part in this call")]
    topped = region.model_copy(update={"budget": region.budget + Decimal(amendment.amount)})
    regions = [topped if r.code == region.code else r for r in config.regions]
    return config.model_copy(update={"regions": regions}), []


def _correct(config: CallConfiguration, amendment: TextCorrection) -> tuple[CallConfiguration, list[FieldError]]:
    changes = {
        k: v for k, v in amendment.model_dump(include={"title", "description", "topics"}).items() if v is not None
    }
    if not changes:
        return config, [FieldError("title", "a text correction changes the title, description or topics")]
    return config.model_copy(update=changes), []
