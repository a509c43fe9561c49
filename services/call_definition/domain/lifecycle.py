"""The lifecycle of a call, and what the clock and the joint evaluation do to it.

draft -> published -> open -> closed -> eligibility -> evaluation -> ranking -> funding_decisions
-> results_published. People publish and move the call on after it closed; opening and closing
follow the clock (no one has to press a button at midnight), and a deadline extension reopens
a closed call. The last steps also follow what the joint evaluation announces: a fixed ranking,
a funding decision, published results each show the call has got at least that far.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from shared.calls import CallConfiguration


class CallStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # announced, not open yet (or between two stages)
    OPEN = "open"
    CLOSED = "closed"
    ELIGIBILITY = "eligibility"
    EVALUATION = "evaluation"
    RANKING = "ranking"
    FUNDING_DECISIONS = "funding_decisions"
    RESULTS_PUBLISHED = "results_published"


CLOCK_DRIVEN = frozenset({CallStatus.PUBLISHED, CallStatus.OPEN, CallStatus.CLOSED})
NEXT_BY_HAND = {
    CallStatus.CLOSED: CallStatus.ELIGIBILITY,
    CallStatus.ELIGIBILITY: CallStatus.EVALUATION,
    CallStatus.EVALUATION: CallStatus.RANKING,
    CallStatus.RANKING: CallStatus.FUNDING_DECISIONS,
    CallStatus.FUNDING_DECISIONS: CallStatus.RESULTS_PUBLISHED,
}


def clock_status(config: CallConfiguration, now: datetime) -> CallStatus:
    if now >= config.deadline:
        return CallStatus.CLOSED
    if any(stage.opens <= now < stage.deadline for stage in config.stages):
        return CallStatus.OPEN
    return CallStatus.PUBLISHED


def next_clock_change(status: CallStatus, config: CallConfiguration, now: datetime) -> datetime | None:
    """The next instant after `now` at which the clock may change a call in `status`: a stage's opening or
    deadline (between two stages the call is published again, not open); None once the clock has no more to do."""
    if status not in CLOCK_DRIVEN:
        return None
    instants = [instant for stage in config.stages for instant in (stage.opens, stage.deadline) if instant > now]
    return min(instants, default=None)


def effective_status(recorded: CallStatus, config: CallConfiguration, now: datetime) -> CallStatus:
    """The status as of `now`: the clock decides between published, open and closed."""
    return clock_status(config, now) if recorded in CLOCK_DRIVEN else recorded


def transition_refusal(current: CallStatus, target: CallStatus) -> str | None:
    """None if an agency may move the call from `current` to `target`; otherwise why not."""
    if current is CallStatus.DRAFT and target is CallStatus.PUBLISHED:
        return None
    if NEXT_BY_HAND.get(current) is target:
        return None
    if target in (CallStatus.OPEN, CallStatus.CLOSED):
        return "opening and closing follow the clock; extend the deadline with an amendment to reopen"
    allowed = NEXT_BY_HAND.get(current)
    hint = f"the next step is {_step(allowed)}" if allowed else "no step can be taken by hand now"
    return f"{CALL_IN[current]} cannot move on to {_step(target)}: {hint}"


def _step(status: CallStatus) -> str:
    """The step in words, with the status to send when it differs: "the eligibility check (eligibility)"."""
    name = STEP_NAMES[status]
    return name if name == status.value else f"{name} ({status.value})"


# How messages speak of a call in each status, and of each step: "an open call cannot move on to evaluation".
CALL_IN = {
    CallStatus.DRAFT: "a draft call",
    CallStatus.PUBLISHED: "a published call",
    CallStatus.OPEN: "an open call",
    CallStatus.CLOSED: "a closed call",
    CallStatus.ELIGIBILITY: "a call in its eligibility check",
    CallStatus.EVALUATION: "a call in evaluation",
    CallStatus.RANKING: "a call in ranking",
    CallStatus.FUNDING_DECISIONS: "a call in its funding decisions",
    CallStatus.RESULTS_PUBLISHED: "a call whose results are published",
}
STEP_NAMES = {
    CallStatus.DRAFT: "a draft",
    CallStatus.PUBLISHED: "publication",
    CallStatus.OPEN: "opening",
    CallStatus.CLOSED: "closing",
    CallStatus.ELIGIBILITY: "the eligibility check",
    CallStatus.EVALUATION: "evaluation",
    CallStatus.RANKING: "ranking",
    CallStatus.FUNDING_DECISIONS: "the funding decisions",
    CallStatus.RESULTS_PUBLISHED: "publishing the results",
}


ORDER = tuple(CallStatus)


def followed_status(current: CallStatus, reached: CallStatus) -> CallStatus | None:
    """The status a call takes when the evaluation shows it has reached `reached`, or None for no change:
    forward only (a late or repeated announcement never moves a call back), and only once it has closed."""
    if ORDER.index(current) < ORDER.index(CallStatus.CLOSED) or ORDER.index(current) >= ORDER.index(reached):
        return None
    return reached
