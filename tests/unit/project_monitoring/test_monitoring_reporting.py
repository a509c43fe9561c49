"""project_monitoring's reporting state machine: every step allowed and refused, the regions' reviews, the
schedule and the indicators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.project_monitoring.domain.reporting import (
    REVIEW_TRANSITIONS,
    TRANSITIONS,
    add_months,
    after_review,
    indicator_totals,
    is_overdue,
    report_refusal,
    review,
    review_refusal,
    schedule,
    unknown_indicators,
)
from services.project_monitoring.domain.reporting import (
    ReportAction as A,
)
from services.project_monitoring.domain.reporting import (
    ReportStatus as R,
)
from services.project_monitoring.domain.reporting import (
    ReviewStatus as V,
)

D = Decimal

# Written out here, apart from the code's tables.
ACTIONS = {
    R.DUE: {A.SUBMIT},
    R.SUBMITTED: {A.ACCEPT, A.REQUEST_CHANGES},
    R.CHANGES_REQUESTED: {A.SUBMIT, A.ACCEPT, A.REQUEST_CHANGES},  # resubmit; the others may still review
    R.ACCEPTED: set(),
}
REVIEWS = {(V.PENDING, A.ACCEPT): V.ACCEPTED, (V.PENDING, A.REQUEST_CHANGES): V.CHANGES_REQUESTED}


def test_statuses_are_str_enums_and_the_steps_are_tables() -> None:
    assert [s.value for s in R] == ["due", "submitted", "changes_requested", "accepted"]
    assert [v.value for v in V] == ["pending", "accepted", "changes_requested"]
    assert {(s, a) for s, a in TRANSITIONS} == {(s, a) for s, actions in ACTIONS.items() for a in actions}
    assert REVIEW_TRANSITIONS == REVIEWS
    assert TRANSITIONS[(R.DUE, A.SUBMIT)] == TRANSITIONS[(R.CHANGES_REQUESTED, A.SUBMIT)] == {R.SUBMITTED}


@pytest.mark.parametrize(("status", "action"), list(product(R, A)))
def test_every_action_on_a_report(status: R, action: A) -> None:
    refusal = report_refusal(status, action)
    if action in ACTIONS[status]:
        assert refusal is None
    else:
        assert refusal is not None and refusal.startswith(f"a report that is {status.value} cannot take {action.value}")


def test_an_accepted_report_takes_nothing_more() -> None:
    assert report_refusal(R.ACCEPTED, A.SUBMIT) == "a report that is accepted cannot take submit: it is accepted"
    assert report_refusal(R.DUE, A.ACCEPT) == "a report that is due cannot take accept: it can only take submit"


@pytest.mark.parametrize(("part", "action"), list(product(V, A)))
def test_every_step_of_one_regions_part(part: V, action: A) -> None:
    refusal = review_refusal(part, action)
    assert (refusal is None) is ((part, action) in REVIEWS)
    if part is not V.PENDING:
        assert refusal == f"this submission is already reviewed: {part.value}"


def test_the_report_follows_its_regions_reviews() -> None:
    assert after_review({"AT": V.PENDING, "CH": V.ACCEPTED}) is R.SUBMITTED
    assert after_review({"AT": V.ACCEPTED, "CH": V.ACCEPTED}) is R.ACCEPTED
    assert after_review({"AT": V.ACCEPTED, "CH": V.CHANGES_REQUESTED}) is R.CHANGES_REQUESTED
    assert after_review({"AT": V.PENDING, "CH": V.CHANGES_REQUESTED}) is R.CHANGES_REQUESTED
    assert after_review({}) is R.SUBMITTED  # no region to accept it: never accepted by itself


def test_a_review_accepts_the_report_only_when_the_last_region_accepts() -> None:
    first, parts = review(R.SUBMITTED, {"AT": V.PENDING, "CH": V.PENDING}, "AT", A.ACCEPT)
    assert (first, parts) == (R.SUBMITTED, {"AT": V.ACCEPTED, "CH": V.PENDING})
    assert review(first, parts, "CH", A.ACCEPT) == (R.ACCEPTED, {"AT": V.ACCEPTED, "CH": V.ACCEPTED})
    with pytest.raises(ValueError, match="already reviewed: accepted"):
        review(first, parts, "AT", A.REQUEST_CHANGES)


def test_a_region_may_still_review_after_another_asked_for_changes() -> None:
    status, parts = review(R.SUBMITTED, {"AT": V.PENDING, "CH": V.PENDING}, "AT", A.REQUEST_CHANGES)
    assert status is R.CHANGES_REQUESTED
    assert review(status, parts, "CH", A.ACCEPT) == (R.CHANGES_REQUESTED, {"AT": V.CHANGES_REQUESTED, "CH": V.ACCEPTED})
    with pytest.raises(ValueError, match="cannot take accept"):
        review(R.DUE, {"AT": V.PENDING}, "AT", A.ACCEPT)


# A run of a report: the coordinator submits (every part pending again) or a region reviews its part.
steps = st.lists(st.tuples(st.sampled_from(list(A)), st.sampled_from(["AT", "CH", "DE"])), max_size=25)


@given(steps, st.integers(1, 3))
def test_any_run_moves_only_as_the_tables_allow_and_accepts_only_a_submission_every_region_accepted(
    run: list[tuple[A, str]], funders: int
) -> None:
    regions = ["AT", "CH", "DE"][:funders]
    status, parts = R.DUE, {r: V.PENDING for r in regions}
    for action, region in run:
        if region not in parts:
            continue
        allowed = report_refusal(status, action) is None
        if action is A.SUBMIT:
            if allowed:
                status, parts = R.SUBMITTED, {r: V.PENDING for r in regions}
            continue
        if not allowed or review_refusal(parts[region], action) is not None:
            with pytest.raises(ValueError):
                review(status, parts, region, action)
            continue
        new_status, parts = review(status, parts, region, action)
        assert new_status in TRANSITIONS[(status, action)]
        status = new_status
        if status is R.ACCEPTED:
            assert all(part is V.ACCEPTED for part in parts.values())
        assert (status is R.CHANGES_REQUESTED) is any(part is V.CHANGES_REQUESTED for part in parts.values())


def test_periods_follow_the_start_and_the_last_is_final() -> None:
    start = datetime(2027, 8, 31, 12, tzinfo=UTC)
    periods = schedule(start, every_months=6, periods=3, due_days=30)
    assert [p.number for p in periods] == [1, 2, 3]
    assert [p.ends_at.date().isoformat() for p in periods] == ["2028-02-29", "2028-08-31", "2029-02-28"]
    assert [p.starts_at for p in periods[1:]] == [add_months(start, 6), add_months(start, 12)]
    assert periods[0].due_at == periods[0].ends_at + timedelta(days=30)
    assert [p.final for p in periods] == [False, False, True]


def test_a_report_is_overdue_only_while_due_and_after_its_due_date() -> None:
    due = datetime(2028, 3, 30, tzinfo=UTC)
    for status in R:
        assert is_overdue(status, due, due) is False
        assert is_overdue(status, due, due + timedelta(seconds=1)) is (status is R.DUE)


def test_per_partner_indicators_are_summed_and_per_project_ones_count_once() -> None:
    totals = indicator_totals(
        {"trl": D(6)}, {"a": {"jobs": D(2)}, "b": {"jobs": D(3), "patents": D(1)}}, ["trl", "jobs", "patents", "x"]
    )
    assert totals == {"trl": D(6), "jobs": D(5), "patents": D(1)}
    assert unknown_indicators(["jobs", "zzz", "aaa"], ["jobs"]) == ["aaa", "zzz"]
