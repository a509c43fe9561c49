"""The deadline dashboard's arithmetic: the intervals a call's timeline is cut into, and the counts the database
grouped by interval laid out as a series (with the intervals where nothing happened, and what came before the
opening or after the deadline in rows of their own). Pure: the queries count, this only arranges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# The interval widths a timeline may be cut into, in seconds, finest first: the finest that cuts the window into
# at most `max_intervals` is chosen, so a day-long window reads by the half hour and a two-month one by the day.
WIDTHS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400)
MAX_INTERVALS = 48
BEFORE = -1  # the index of what happened before the first interval (the opening)

# What the series counts in each interval.
KINDS = ("drafts", "first_submissions", "resubmissions", "refusals")


@dataclass(frozen=True)
class Timeline:
    """`count` intervals of `width` seconds from `start` (aligned on a multiple of the width since the epoch)."""

    start: datetime
    width: int
    count: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.width * self.count)

    @property
    def start_epoch(self) -> int:
        return int(self.start.timestamp())


def timeline(opens: datetime, closes: datetime, max_intervals: int = MAX_INTERVALS) -> Timeline:
    """The intervals that cover [opens, closes): the finest width of WIDTHS that needs at most `max_intervals`
    (the widest if none does), starting at the multiple of the width at or before the opening."""
    if closes <= opens:
        closes = opens + timedelta(seconds=WIDTHS[0])
    width = next((w for w in WIDTHS if _intervals(opens, closes, w) <= max_intervals), WIDTHS[-1])
    start_epoch = int(opens.timestamp()) // width * width
    return Timeline(datetime.fromtimestamp(start_epoch, UTC), width, _intervals(opens, closes, width))


def _intervals(opens: datetime, closes: datetime, width: int) -> int:
    start = int(opens.timestamp()) // width * width
    return max(1, -(-(int(closes.timestamp()) - start) // width))  # ceiling division


@dataclass(frozen=True)
class Interval:
    """One row of the series: [start, end) and the counts of each kind in it. `start` None: before the opening;
    `end` None: at or after the deadline."""

    start: datetime | None
    end: datetime | None
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)


def series(line: Timeline, counted: Iterable[tuple[str, int, int]]) -> list[Interval]:
    """The timeline's intervals with `counted` (kind, interval index, count) in them, every interval present even
    when empty. An index below 0 is before the opening, one at or past `line.count` after the deadline: each
    such group is a row of its own, only when it counts something."""
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    inside: list[dict[str, int]] = [{} for _ in range(line.count)]
    for kind, index, n in counted:
        if index < 0:
            bucket = before
        elif index >= line.count:
            bucket = after
        else:
            bucket = inside[index]
        bucket[kind] = bucket.get(kind, 0) + n
    rows = [Interval(None, line.start, before)] if before else []
    for index, counts in enumerate(inside):
        start = line.start + timedelta(seconds=line.width * index)
        rows.append(Interval(start, start + timedelta(seconds=line.width), counts))
    if after:
        rows.append(Interval(line.end, None, after))
    return rows


def totals(rows: Iterable[Interval]) -> dict[str, int]:
    """Each kind's count over the whole series."""
    summed = dict.fromkeys(KINDS, 0)
    for row in rows:
        for kind, n in row.counts.items():
            summed[kind] = summed.get(kind, 0) + n
    return summed


def partner_count_histogram(counted: Mapping[int, int]) -> list[tuple[int, int]]:
    """(partners, proposals) from the fewest partners to the most, every count in between present (0 proposals)
    so the distribution reads without gaps."""
    if not counted:
        return []
    low, high = min(counted), max(counted)
    return [(n, counted.get(n, 0)) for n in range(low, high + 1)]
