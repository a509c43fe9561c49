"""Request and response bodies of proposal_intake."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.money import Money


class PartnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_name: str = Field(min_length=1, max_length=300)
    region_code: str = Field(min_length=2, max_length=12, examples=["DE-BY"])
    requested_funding: Money


class ProposalSubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    acronym: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=3, max_length=300)
    partners: list[PartnerIn] = Field(min_length=1, max_length=50)


class ReceiptOut(BaseModel):
    """Proof of submission: keep it. The hash is SHA-256 of the canonical submitted content."""

    proposal_id: uuid.UUID
    version: int
    received_at: datetime
    content_sha256: str


class ProposalOut(BaseModel):
    id: uuid.UUID
    call_id: uuid.UUID
    applicant_id: str
    acronym: str
    title: str
    status: str
    current_version: int
    submitted_at: datetime
    content_sha256: str
    content: dict[str, object]
