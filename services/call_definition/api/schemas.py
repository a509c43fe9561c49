"""Request and response bodies of call_definition (the configuration itself is shared.calls)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.calls import CallConfiguration
from shared.text import StorableModel

from ..domain.lifecycle import CallStatus


class CallOut(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    status: CallStatus = Field(description="As of now: the clock decides between published, open and closed")
    version: int = Field(description="Configuration version: 1 at publication, +1 per amendment (0: draft)")
    revision: int = Field(description="Changes with every change; the ETag")
    opens_at: datetime
    deadline: datetime = Field(description="The final deadline (UTC)")
    deadline_local: datetime = Field(description="The final deadline in the call's time zone")
    configuration: CallConfiguration
    created_at: datetime
    updated_at: datetime


class CallVersionOut(BaseModel):
    version: int
    kind: str
    reason: str
    created_at: datetime
    created_by: str
    configuration: CallConfiguration


class TransitionIn(StorableModel):
    model_config = ConfigDict(extra="forbid")

    to: CallStatus
    reason: str = Field(default="", max_length=2000)


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str
    action: str
    before: object | None
    after: object | None
    reason: str | None
    correlation_id: str | None
