"""The deadline dashboard's queries: every count is a GROUP BY in the database, over one call's rows reached by
index (proposals by ix_proposals_call, their versions by their key, region_partners by ix_region_partners_call,
refusals by ix_audit_entity); no proposal is loaded. Times are grouped into the dashboard's intervals by their
index (seconds since the interval's start, divided by its width), computed in SQL.

What sits in JSON (the memo of a pre-check's verdicts, a refusal's rules) is expanded by the database's own JSON
functions: SQLite's json_each, PostgreSQL's json_array_elements; the two spellings of each query are here side
by side.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import UtcDateTime, dialect_name

from .domain.dashboard import BEFORE, Timeline
from .domain.refusals import REFUSED, SUBMISSION_WINDOW
from .models import audit_log
from .repository import proposal_versions, proposals, region_partners
from .unit_of_work import execute


def _epoch(executor: AsyncSession, moment: Any) -> ColumnElement[int]:
    """Whole seconds since the epoch of a stored instant (UTC in both databases)."""
    if dialect_name(executor) == "postgresql":
        return cast(func.floor(func.extract("epoch", moment)), BigInteger)
    return cast(func.strftime("%s", moment), Integer)


def _interval_index(executor: AsyncSession, moment: Any, line: Timeline) -> ColumnElement[int]:
    """The interval an instant falls in: BEFORE when before the start, else (seconds since start) // width (an
    index at or past line.count is after the deadline)."""
    seconds = _epoch(executor, moment) - literal(line.start_epoch, BigInteger)
    return case((seconds < 0, literal(BEFORE)), else_=seconds // literal(line.width, BigInteger)).label("interval")


async def status_counts(executor: AsyncSession, call_id: str) -> dict[str, int]:
    """The call's proposals by status (draft, submitted, withdrawn)."""
    query = select(proposals.c.status, func.count()).where(proposals.c.call_id == call_id).group_by(proposals.c.status)
    return {status: int(n) for status, n in await execute(executor, query)}


async def drafts_started(executor: AsyncSession, call_id: str, line: Timeline) -> list[tuple[int, int]]:
    """(interval, proposals created in it): when each proposal of the call was started, withdrawn ones too."""
    index = _interval_index(executor, proposals.c.created_at, line)
    query = select(index, func.count()).where(proposals.c.call_id == call_id).group_by(index)
    return [(int(i), int(n)) for i, n in await execute(executor, query)]


async def submissions(executor: AsyncSession, call_id: str, line: Timeline) -> list[tuple[int, bool, int]]:
    """(interval, first submission?, versions submitted in it): every version of every proposal of the call,
    version 1 a first submission and the others resubmissions, withdrawn proposals' versions too."""
    index = _interval_index(executor, proposal_versions.c.submitted_at, line)
    first = (proposal_versions.c.version == 1).label("first")
    query = (
        select(index, first, func.count())
        .select_from(proposals.join(proposal_versions, proposal_versions.c.proposal_id == proposals.c.id))
        .where(proposals.c.call_id == call_id)
        .group_by(index, first)
    )
    return [(int(i), bool(f), int(n)) for i, f, n in await execute(executor, query)]


async def by_region(executor: AsyncSession, call_id: str) -> list[tuple[str, int, int]]:
    """(region code, proposals, partners) of the latest submitted versions of the proposals not withdrawn (what
    region_partners holds); a partner without a region has the code ""."""
    query = (
        select(
            region_partners.c.region_code,
            func.count(region_partners.c.proposal_id.distinct()),
            func.count(),
        )
        .where(region_partners.c.call_id == call_id)
        .group_by(region_partners.c.region_code)
        .order_by(region_partners.c.region_code)
    )
    return [(str(code), int(p), int(n)) for code, p, n in await execute(executor, query)]


async def by_partner_count(executor: AsyncSession, call_id: str) -> dict[int, int]:
    """partners -> proposals having that many, over the same rows as by_region."""
    per_proposal = (
        select(func.count().label("partners"))
        .where(region_partners.c.call_id == call_id)
        .group_by(region_partners.c.proposal_id)
        .subquery()
    )
    query = select(per_proposal.c.partners, func.count()).group_by(per_proposal.c.partners)
    return {int(partners): int(n) for partners, n in await execute(executor, query)}


# The memo of each proposal's last pre-check (proposals.verdicts: {"failures": [[field, "rule: reason"], ...],
# "warnings": ["REGION: reason", ...]}) of the proposals not withdrawn: read once (MATERIALIZED) and counted four
# ways in one statement. A failure's rule is its message up to the first ": " (the memo writes "rule: reason");
# a warning names only its region, not the rule, nor whether it failed or was left to the region's officers.
_PRECHECKS = {
    "sqlite": """WITH memo AS MATERIALIZED (
            SELECT id, verdicts FROM proposals
            WHERE call_id = :call_id AND status != 'withdrawn' AND verdicts_key IS NOT NULL),
        failure AS MATERIALIZED (
            SELECT memo.id AS id, json_extract(f.value, '$[1]') AS message
            FROM memo, json_each(memo.verdicts, '$.failures') AS f),
        warning AS MATERIALIZED (
            SELECT memo.id AS id, w.value AS message FROM memo, json_each(memo.verdicts, '$.warnings') AS w)
        SELECT 'checked', '', count(*), 0 FROM memo
        UNION ALL SELECT 'failing', '', count(DISTINCT id), count(*) FROM failure
        UNION ALL SELECT 'rule', rule, count(DISTINCT id), count(*) FROM (
            SELECT id, CASE WHEN instr(message, ': ') > 0 THEN substr(message, 1, instr(message, ': ') - 1)
                ELSE message END AS rule FROM failure) GROUP BY rule
        UNION ALL SELECT 'region', region, count(DISTINCT id), count(*) FROM (
            SELECT id, CASE WHEN instr(message, ': ') > 0 THEN substr(message, 1, instr(message, ': ') - 1)
                ELSE '' END AS region FROM warning) GROUP BY region""",
    "postgresql": """WITH memo AS MATERIALIZED (
            SELECT id, verdicts FROM proposals
            WHERE call_id = :call_id AND status != 'withdrawn' AND verdicts_key IS NOT NULL),
        failure AS MATERIALIZED (
            SELECT memo.id AS id, f.value ->> 1 AS message
            FROM memo CROSS JOIN LATERAL json_array_elements(memo.verdicts -> 'failures') AS f(value)),
        warning AS MATERIALIZED (
            SELECT memo.id AS id, w.value AS message
            FROM memo CROSS JOIN LATERAL json_array_elements_text(memo.verdicts -> 'warnings') AS w(value))
        SELECT 'checked', '', count(*), 0 FROM memo
        UNION ALL SELECT 'failing', '', count(DISTINCT id), count(*) FROM failure
        UNION ALL SELECT 'rule', split_part(message, ': ', 1), count(DISTINCT id), count(*) FROM failure GROUP BY 2
        UNION ALL SELECT 'region', CASE WHEN strpos(message, ': ') > 0 THEN split_part(message, ': ', 1) ELSE '' END,
            count(DISTINCT id), count(*) FROM warning GROUP BY 2""",
}

# Refused submissions: the audit records `proposal.refused` on the call (use_cases/refusals), read once and
# counted three ways: in all, per rule named, and refused for the submission window at or after the deadline.
_REFUSALS = {
    "sqlite": """WITH refusal AS MATERIALIZED (
            SELECT at, json_extract(after, '$.proposal_id') AS proposal_id, after FROM audit_log
            WHERE entity = 'call' AND entity_id = :call_id AND action = :refused),
        named AS MATERIALIZED (
            SELECT refusal.at AS at, refusal.proposal_id AS proposal_id, r.value AS rule
            FROM refusal, json_each(refusal.after, '$.rules') AS r)
        SELECT 'total', '', count(*), count(DISTINCT proposal_id) FROM refusal
        UNION ALL SELECT 'rule', rule, count(*), count(DISTINCT proposal_id) FROM named GROUP BY rule
        UNION ALL SELECT 'late', '', count(*), count(DISTINCT proposal_id) FROM named
            WHERE rule = :window AND at >= :deadline""",
    "postgresql": """WITH refusal AS MATERIALIZED (
            SELECT at, after ->> 'proposal_id' AS proposal_id, after FROM audit_log
            WHERE entity = 'call' AND entity_id = :call_id AND action = :refused),
        named AS MATERIALIZED (
            SELECT refusal.at AS at, refusal.proposal_id AS proposal_id, r.value AS rule
            FROM refusal CROSS JOIN LATERAL json_array_elements_text(refusal.after -> 'rules') AS r(value))
        SELECT 'total', '', count(*), count(DISTINCT proposal_id) FROM refusal
        UNION ALL SELECT 'rule', rule, count(*), count(DISTINCT proposal_id) FROM named GROUP BY rule
        UNION ALL SELECT 'late', '', count(*), count(DISTINCT proposal_id) FROM named
            WHERE rule = :window AND at >= :deadline""",
}


def _sql(executor: AsyncSession, spellings: dict[str, str]) -> Any:
    return text(spellings["postgresql" if dialect_name(executor) == "postgresql" else "sqlite"])


Counted: TypeAlias = list[tuple[str, str, int, int]]


async def precheck_counts(executor: AsyncSession, call_id: str) -> Counted:
    """(what, key, proposals, occurrences) from the memos of verdicts: ("checked", "", memos, 0), ("failing", "",
    proposals whose memo names a consortium rule, failures), ("rule", rule, proposals, failures) per consortium
    rule, ("region", code, proposals, warnings) per region warned of."""
    rows = await execute(executor, _sql(executor, _PRECHECKS), {"call_id": call_id})
    return [(str(what), str(key), int(p), int(n)) for what, key, p, n in rows]


async def refusal_counts(executor: AsyncSession, call_id: str, deadline: Any) -> Counted:
    """(what, key, refusals, proposals): ("total", "", ...), ("rule", rule, ...) per rule named, and ("late", "",
    ...) for the submission window at or after `deadline`."""
    statement = _sql(executor, _REFUSALS).bindparams(bindparam("deadline", type_=UtcDateTime))
    parameters = {"call_id": call_id, "refused": REFUSED, "window": SUBMISSION_WINDOW, "deadline": deadline}
    rows = await execute(executor, statement, parameters)
    return [(str(what), str(key), int(n), int(p)) for what, key, n, p in rows]


async def refusals_over_time(executor: AsyncSession, call_id: str, line: Timeline) -> list[tuple[int, int]]:
    """(interval, submissions refused in it)."""
    index = _interval_index(executor, audit_log.c.at, line)
    query = (
        select(index, func.count())
        .where(audit_log.c.entity == "call", audit_log.c.entity_id == call_id, audit_log.c.action == REFUSED)
        .group_by(index)
    )
    return [(int(i), int(n)) for i, n in await execute(executor, query)]
