"""The secretariat's deadline dashboard of a call: drafts, submissions, resubmissions and refusals over time, the
submitted proposals by region and by partner count, what the pre-checks found, and the refusals by rule and at
the deadline. Every number is counted by the database (dashboard_repository); nothing per proposal is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime

from .. import dashboard_repository as counts
from ..access import call_of
from ..call_cache import CallCache
from ..domain.dashboard import Interval, Timeline, partner_count_histogram, series, timeline


@dataclass(frozen=True)
class RuleCount:
    rule: str
    proposals: int
    occurrences: int


@dataclass(frozen=True)
class RegionCount:
    region_code: str
    proposals: int
    partners: int


@dataclass(frozen=True)
class RegionWarnings:
    region_code: str
    proposals: int
    warnings: int


@dataclass(frozen=True)
class Dashboard:
    call_id: str
    status: str
    opens_at: datetime
    deadline: datetime
    server_time: datetime
    timeline: Timeline
    over_time: list[Interval]
    proposals: dict[str, int]  # by status
    by_region: list[RegionCount]
    by_partner_count: list[tuple[int, int]]
    prechecked: int
    precheck_failing: int
    precheck_failures: list[RuleCount]  # most proposals first
    regional_warnings: list[RegionWarnings]
    refusals: tuple[int, int]  # (refusals, proposals)
    refusals_by_rule: list[RuleCount]  # proposals, occurrences: refusals naming the rule
    refused_at_deadline: tuple[int, int]


def _most_first(rows: list[RuleCount]) -> list[RuleCount]:
    return sorted(rows, key=lambda row: (-row.proposals, -row.occurrences, row.rule))


def _total(rows: counts.Counted, what: str) -> tuple[int, int]:
    """The two counts of the row `what` (a statement's total: always there, zero when nothing was counted)."""
    return next(((a, b) for kind, _, a, b in rows if kind == what), (0, 0))


async def read_dashboard(session: AsyncSession, runtime: Runtime, calls: CallCache, *, call_id: str) -> Dashboard:
    """The dashboard of a call known here (NotFound otherwise). The caller checked the agency role."""
    call = (await call_of(session, calls, call_id)).snapshot
    line = timeline(call.opens_at, call.deadline)
    counted: list[tuple[str, int, int]] = [
        ("drafts", i, n) for i, n in await counts.drafts_started(session, call_id, line)
    ]
    for index, first, n in await counts.submissions(session, call_id, line):
        counted.append(("first_submissions" if first else "resubmissions", index, n))
    counted += [("refusals", i, n) for i, n in await counts.refusals_over_time(session, call_id, line)]
    prechecks = await counts.precheck_counts(session, call_id)
    refused = await counts.refusal_counts(session, call_id, call.deadline)
    return Dashboard(
        call_id=call_id,
        status=call.status,
        opens_at=call.opens_at,
        deadline=call.deadline,
        server_time=runtime.clock.now(),
        timeline=line,
        over_time=series(line, counted),
        proposals=await counts.status_counts(session, call_id),
        by_region=[RegionCount(*row) for row in await counts.by_region(session, call_id)],
        by_partner_count=partner_count_histogram(await counts.by_partner_count(session, call_id)),
        prechecked=_total(prechecks, "checked")[0],
        precheck_failing=_total(prechecks, "failing")[0],
        precheck_failures=_most_first([RuleCount(key, p, n) for what, key, p, n in prechecks if what == "rule"]),
        regional_warnings=sorted(
            (RegionWarnings(key, p, n) for what, key, p, n in prechecks if what == "region"),
            key=lambda row: row.region_code,
        ),
        refusals=_total(refused, "total"),
        refusals_by_rule=_most_first([RuleCount(key, p, n) for what, key, n, p in refused if what == "rule"]),
        refused_at_deadline=_total(refused, "late"),
    )
