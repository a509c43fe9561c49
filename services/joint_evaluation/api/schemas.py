"""Response bodies of joint_evaluation."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from ..domain.status import EvaluationStatus


class EntryOut(BaseModel):
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    proposal_version: int
    acronym: str | None
    title: str | None
    submitted_at: datetime | None
    eligibility: str
    eligibility_reasons: list[str]
    status: EvaluationStatus
