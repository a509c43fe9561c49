"""The deadline dashboard's chart of a call's timeline, drawn as SVG on the server (presentation attributes only:
the policy allows no inline style): per interval a group of bars, one per kind (drafts started, first
submissions, resubmissions, refusals), on one scale, with the moment of the page marked. The page shows the same
numbers in a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KINDS = ("drafts", "first_submissions", "resubmissions", "refusals")

LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT, BOTTOM = 44, 10, 1000, 240, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class TimelineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    bars: list[Bar]
    y_ticks: list[Tick]  # position: y
    x_ticks: list[Tick]  # position: x
    now_x: float | None  # the page's moment, when it falls on the timeline


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at or above `value` (at least 1): the top of the scale."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def timeline_chart(
    rows: list[dict[str, Any]], now: datetime | None, label: Callable[[dict[str, Any]], str], ticks: int = 6
) -> TimelineChart:
    """`rows` as the dashboard API gives `over_time` (start, end, a count per kind); `label` writes an interval's
    tick. The interval that holds `now` gets the marker at `now`'s place in it."""
    top_value = nice_ceiling(max((int(row[kind]) for row in rows for kind in KINDS), default=0))
    group = PLOT_WIDTH / max(1, len(rows))
    bar_width = max(1.0, group * 0.8 / len(KINDS))
    bars = []
    now_x = None
    for index, row in enumerate(rows):
        left = LEFT + index * group + group * 0.1
        for number, kind in enumerate(KINDS):
            height = PLOT_HEIGHT * int(row[kind]) / top_value
            if height:
                y = TOP + PLOT_HEIGHT - height
                bars.append(
                    Bar(round(left + number * bar_width, 2), round(y, 2), round(bar_width, 2), round(height, 2), kind)
                )
        if now is not None and row.get("start") and row.get("end"):
            start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
            if start <= now < end:
                share = (now - start) / (end - start)
                now_x = round(LEFT + (index + share) * group, 2)
    y_ticks = [
        Tick(round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * step / 4, 2), str(top_value * step // 4))
        for step in range(5)
        if top_value * step % 4 == 0
    ]
    every = max(1, -(-len(rows) // ticks))
    x_ticks = [Tick(round(LEFT + index * group, 2), label(row)) for index, row in enumerate(rows) if index % every == 0]
    return TimelineChart(
        width=LEFT + PLOT_WIDTH + 60,
        height=TOP + PLOT_HEIGHT + BOTTOM,
        left=LEFT,
        top=TOP,
        plot_width=PLOT_WIDTH,
        plot_height=PLOT_HEIGHT,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        now_x=now_x,
    )
