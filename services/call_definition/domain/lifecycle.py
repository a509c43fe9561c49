"""The lifecycle of a call and what the clock does to it.

Stored statuses are the ones people set (draft, published); `open` and `closed` follow from the
clock, so no one has to press a button at midnight.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class CallStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # announced, not yet open
    OPEN = "open"
    CLOSED = "closed"


def effective_status(stored: CallStatus, opens_at: datetime, deadline: datetime, now: datetime) -> CallStatus:
    if stored is CallStatus.DRAFT:
        return stored
    if now >= deadline:
        return CallStatus.CLOSED
    if now >= opens_at:
        return CallStatus.OPEN
    return CallStatus.PUBLISHED


def can_publish(stored: CallStatus) -> bool:
    return stored is CallStatus.DRAFT
