"""Response bodies of regional_eligibility."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class CheckOut(BaseModel):
    id: int
    proposal_id: uuid.UUID
    proposal_version: int
    partner_id: str
    organisation_name: str
    region_code: str
    rule: str
    verdict: str
    reason: str
    checked_at: datetime


class CaseOut(BaseModel):
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    version: int
    acronym: str
    outcome: str
    reasons: list[str]
    decided_at: datetime | None
    checks: list[CheckOut]
