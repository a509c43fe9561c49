"""Request and response bodies of call_definition."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.money import CurrencyCode

from ..domain.lifecycle import CallStatus


class RegionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=2,
        max_length=12,
        pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$|^[A-Z]{2}[A-Z0-9]{1,3}$",
        examples=["AT-4", "DE-BY", "CH-FR"],
        description="ISO 3166-2 or NUTS code",
    )
    name: str = Field(min_length=1, max_length=200)
    currency: CurrencyCode = Field(examples=["EUR", "CHF"])


class CallDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", examples=["ALP-S3-2027"])
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=20_000)
    opens_at: AwareDatetime = Field(description="Opening instant, with its UTC offset")
    deadline: AwareDatetime = Field(description="Submission deadline, with its UTC offset; enforced by the server")
    regions: list[RegionIn] = Field(max_length=60)


class RegionOut(BaseModel):
    code: str
    name: str
    currency: str


class CallOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    description: str
    status: CallStatus
    opens_at: datetime
    deadline: datetime
    regions: list[RegionOut]
    version: int
    created_at: datetime
    updated_at: datetime
