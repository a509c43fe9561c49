"""Joint reporting: one report per period from the coordinator, reviewed by each funding region (pure).

* **Schedule.** Period n (1..N) of a project that started at S ends ``n * report_every_months`` months after S;
  its report is due ``report_due_days`` after that. The last period's report is the final report.
* **Steps as data.** A period is ``due``; the coordinator submits (``submitted``); each funding region reviews
  its part once per submission: accepts, or asks for changes; after a request for changes the coordinator
  submits again and every region reviews anew. The period is ``accepted`` once every funding region accepted
  the same submission.
* **Late.** A period still due (never submitted) after its due date is overdue: it holds the next payment of
  every region funding the project, until that region accepts the report.
* **Indicators.** Per-partner indicators are reported per partner and summed; per-project ones once.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class ReportStatus(StrEnum):
    DUE = "due"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"


class ReportAction(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_CHANGES = "request_changes"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes_requested"


# What a report in each status may take, and what it may become by it: a submission makes it submitted; a
# review moves one region's part (``REVIEW_TRANSITIONS``) and the report follows its regions' reviews
# (``after_review``): accepted once every region accepted the same submission, changes requested once any asked.
# Another region's request for changes does not stop the others reviewing the same submission.
TRANSITIONS: dict[tuple[ReportStatus, ReportAction], frozenset[ReportStatus]] = {
    (ReportStatus.DUE, ReportAction.SUBMIT): frozenset({ReportStatus.SUBMITTED}),
    (ReportStatus.CHANGES_REQUESTED, ReportAction.SUBMIT): frozenset({ReportStatus.SUBMITTED}),
    (ReportStatus.SUBMITTED, ReportAction.ACCEPT): frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED}),
    (ReportStatus.SUBMITTED, ReportAction.REQUEST_CHANGES): frozenset({ReportStatus.CHANGES_REQUESTED}),
    (ReportStatus.CHANGES_REQUESTED, ReportAction.ACCEPT): frozenset({ReportStatus.CHANGES_REQUESTED}),
    (ReportStatus.CHANGES_REQUESTED, ReportAction.REQUEST_CHANGES): frozenset({ReportStatus.CHANGES_REQUESTED}),
}

# One region's part of one submission: reviewed once (a new submission makes every part pending again).
REVIEW_TRANSITIONS: dict[tuple[ReviewStatus, ReportAction], ReviewStatus] = {
    (ReviewStatus.PENDING, ReportAction.ACCEPT): ReviewStatus.ACCEPTED,
    (ReviewStatus.PENDING, ReportAction.REQUEST_CHANGES): ReviewStatus.CHANGES_REQUESTED,
}


def report_actions(status: ReportStatus) -> list[str]:
    """The actions a report in ``status`` may take, by name."""
    return sorted(a.value for (s, a) in TRANSITIONS if s is status)


def report_refusal(status: ReportStatus, action: ReportAction) -> str | None:
    if (status, action) in TRANSITIONS:
        return None
    allowed = report_actions(status)
    hint = f"it can only take {', '.join(allowed)}" if allowed else "it is accepted"
    return f"a report that is {status.value} cannot take {action.value}: {hint}"


def review_refusal(review: ReviewStatus, action: ReportAction) -> str | None:
    """None if a region whose part is ``review`` may take ``action`` on it; else why not."""
    if (review, action) in REVIEW_TRANSITIONS:
        return None
    if review is ReviewStatus.PENDING:
        return f"a review can accept or request changes, not {action.value}"
    return f"this submission is already reviewed: {review.value}"


def after_review(reviews: Mapping[str, ReviewStatus]) -> ReportStatus:
    """The report's status from its regions' reviews (after a submission)."""
    if any(r is ReviewStatus.CHANGES_REQUESTED for r in reviews.values()):
        return ReportStatus.CHANGES_REQUESTED
    if reviews and all(r is ReviewStatus.ACCEPTED for r in reviews.values()):
        return ReportStatus.ACCEPTED
    return ReportStatus.SUBMITTED


def review(
    status: ReportStatus, reviews: Mapping[str, ReviewStatus], region: str, action: ReportAction
) -> tuple[ReportStatus, dict[str, ReviewStatus]]:
    """One region reviews its part of the submission: the report's new status and the regions' reviews.

    Refused (``ValueError`` with the reason) as ``report_refusal`` and ``review_refusal`` say; the new status is
    always one ``TRANSITIONS`` allows for ``(status, action)``."""
    refusal = report_refusal(status, action) or review_refusal(reviews[region], action)
    if refusal:
        raise ValueError(refusal)
    after = dict(reviews)
    after[region] = REVIEW_TRANSITIONS[(reviews[region], action)]
    new_status = after_review(after)
    assert new_status in TRANSITIONS[(status, action)], (status, action, new_status)
    return new_status, after


def add_months(instant: datetime, months: int) -> datetime:
    month = instant.month - 1 + months
    year, month = instant.year + month // 12, month % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


@dataclass(frozen=True, slots=True)
class Period:
    number: int
    starts_at: datetime
    ends_at: datetime
    due_at: datetime
    final: bool


def schedule(started_at: datetime, every_months: int, periods: int, due_days: int) -> list[Period]:
    """The reporting periods of a project that started at ``started_at``."""
    result = []
    for n in range(1, periods + 1):
        start, end = add_months(started_at, (n - 1) * every_months), add_months(started_at, n * every_months)
        result.append(Period(n, start, end, end + timedelta(days=due_days), n == periods))
    return result


def is_overdue(status: ReportStatus, due: datetime, now: datetime) -> bool:
    return status is ReportStatus.DUE and now > due


def indicator_totals(
    per_project: Mapping[str, Decimal], per_partner: Mapping[str, Mapping[str, Decimal]], keys: Iterable[str]
) -> dict[str, Decimal]:
    """One figure per indicator: the project's, or the sum over its partners."""
    totals: dict[str, Decimal] = {}
    for key in keys:
        if key in per_project:
            totals[key] = per_project[key]
        values = [figures[key] for figures in per_partner.values() if key in figures]
        if values:
            totals[key] = totals.get(key, Decimal(0)) + sum(values, Decimal(0))
    return totals


def unknown_indicators(reported: Iterable[str], configured: Sequence[str]) -> list[str]:
    return sorted(set(reported) - set(configured))
