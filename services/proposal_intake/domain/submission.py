"""When the server clock accepts a submission; whatever the client claims, the server decides."""

from __future__ import annotations

from datetime import datetime

from shared.events import CallSnapshot


def submission_window_error(call: CallSnapshot, now: datetime) -> str | None:
    """None when a submission is accepted now; otherwise why not, in words."""
    if call.status == "draft":
        return "The call is not published."
    if now < call.opens_at:
        return f"The call opens at {call.opens_at.isoformat()}; submissions are not accepted before."
    if now >= call.deadline:
        return (
            f"The deadline ({call.deadline.isoformat()}) has passed; the server time is {now.isoformat()}. "
            "Nothing was stored."
        )
    return None
