"""The call the demo runs: the Alpine Space example, re-dated around the present."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..call_definition.examples import alpine_call, redated

LATER_STEPS = (("eligibility_check_due", 30), ("evaluation_due", 60), ("decisions_due", 90))  # days after now


def alpine_call_body(
    now: datetime, *, window: timedelta = timedelta(hours=2), code: str | None = None
) -> dict[str, Any]:
    """The Alpine example with its document types, open since an hour before `now`, closing `window` after it
    (default code: timestamped)."""
    body = redated(alpine_call(documents=True), now - timedelta(hours=1))
    body["code"] = code or f"{body['code']}-DEMO-{now:%H%M%S}"
    body["stages"][-1]["deadline"] = (now + window).isoformat()
    for key, days in LATER_STEPS:
        body[key] = (now + timedelta(days=days)).isoformat()
    return body
