"""Request and response bodies of proposal_intake (the content itself is shared.proposals)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.proposals import ProposalDraft
from shared.rules.precheck import PrecheckReport
from shared.text import StorableModel


class ProposalOut(BaseModel):
    id: uuid.UUID
    call_id: uuid.UUID
    applicant_id: str
    status: str = Field(description="draft, submitted or withdrawn")
    revision: int = Field(description="The draft's revision: send it back as If-Match (the ETag)")
    current_version: int = Field(description="Latest submitted version; 0 if never submitted")
    draft: ProposalDraft
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None


class PrecheckOut(BaseModel):
    """The live pre-check's answer (serialised by the route itself; its documented schema is an object)."""

    complete: bool
    missing: list[dict[str, Any]]
    outcome: str
    report: PrecheckReport | None


class ReceiptOut(BaseModel):
    """Proof of submission: keep it. The hash is SHA-256 of the canonical submitted content."""

    proposal_id: uuid.UUID
    version: int
    received_at: datetime = Field(description="Server time of the submission (UTC)")
    content_sha256: str
    warnings: list[str] = Field(description="Regional rules the content breaks or leaves to officers")


class VersionOut(BaseModel):
    version: int
    submitted_at: datetime
    submitted_by: str
    content_sha256: str
    warnings: list[str]
    content: dict[str, Any]


class WithdrawalIn(StorableModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class RegionPartnerOut(BaseModel):
    proposal_id: uuid.UUID
    acronym: str
    version: int
    partner: dict[str, Any]
