"""When the server clock accepts a submission; whatever the client claims, the server decides."""

from __future__ import annotations

from datetime import datetime

from shared.events import CallSnapshot


def submission_window_error(call: CallSnapshot, now: datetime) -> str | None:
    """None when a submission is accepted now; otherwise why not, in words."""
    if call.status == "draft":
        return "The call is not published."
    windows = (
        [(stage.name, stage.opens, stage.deadline) for stage in call.configuration.stages]
        if call.configuration
        else [("submission", call.opens_at, call.deadline)]
    )
    if any(opens <= now < deadline for _, opens, deadline in windows):
        return None
    upcoming = [(name, opens) for name, opens, _ in windows if now < opens]
    if upcoming:
        name, opens = upcoming[0]
        return f"The {name} stage opens at {opens.isoformat()}; submissions are not accepted before."
    last_deadline = max(deadline for _, _, deadline in windows)
    return (
        f"The deadline ({last_deadline.isoformat()}) has passed; the server time is {now.isoformat()}. "
        "Nothing was stored."
    )
