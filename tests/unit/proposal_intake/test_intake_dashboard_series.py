"""The deadline dashboard's arithmetic: how a call's timeline is cut into intervals and how the counts the database
grouped are laid out as a series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.proposal_intake.domain.dashboard import (
    BEFORE,
    Timeline,
    partner_count_histogram,
    series,
    timeline,
    totals,
)

OPENS = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


def test_the_finest_width_that_fits_is_chosen_and_the_start_is_aligned_to_it() -> None:
    day = timeline(OPENS, OPENS + timedelta(hours=20))
    assert day.width == 1800 and day.start == datetime(2027, 3, 1, 9, 30, tzinfo=UTC) and day.count == 40
    month = timeline(OPENS, OPENS + timedelta(days=40))
    assert month.width == 86400 and month.start == datetime(2027, 3, 1, tzinfo=UTC)
    assert month.count == 41 and month.end >= OPENS + timedelta(days=40)
    assert timeline(OPENS, OPENS + timedelta(days=3000)).width == 14 * 86400  # the widest, however many it takes


def test_a_window_that_ends_before_it_starts_still_has_one_interval() -> None:
    line = timeline(OPENS, OPENS - timedelta(days=1))
    assert line.count == 1 and line.width == 60


def test_the_series_has_every_interval_and_rows_before_and_after_only_when_they_count() -> None:
    line = Timeline(datetime(2027, 3, 1, tzinfo=UTC), 3600, 3)
    rows = series(line, [("drafts", 0, 2), ("drafts", 2, 1), ("first_submissions", 2, 4)])
    assert [(row.start, row.count("drafts"), row.count("first_submissions")) for row in rows] == [
        (line.start, 2, 0),
        (line.start + timedelta(hours=1), 0, 0),
        (line.start + timedelta(hours=2), 1, 4),
    ]
    assert rows[-1].end == line.end

    outside = series(line, [("drafts", BEFORE, 1), ("refusals", 3, 2), ("refusals", 7, 1)])
    assert (outside[0].start, outside[0].end, outside[0].count("drafts")) == (None, line.start, 1)
    assert (outside[-1].start, outside[-1].end, outside[-1].count("refusals")) == (line.end, None, 3)
    assert len(outside) == 5 and totals(outside)["refusals"] == 3 and totals(outside)["resubmissions"] == 0


def test_the_partner_counts_read_without_gaps() -> None:
    assert partner_count_histogram({2: 10, 5: 1}) == [(2, 10), (3, 0), (4, 0), (5, 1)]
    assert partner_count_histogram({}) == []
