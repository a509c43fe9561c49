"""The deadline dashboard's queries: every count is a GROUP BY in the database, over one call's rows reached by
index (proposals by ix_proposals_call, their versions by their key, region_partners by ix_region_partners_call,
refusals by ix_audit_entity); no proposal is loaded. Times are grouped into the dashboard's intervals by their
index (seconds since the interval's start, divided by its width), computed in SQL.

What sits in JSON (the memo of a pre-check's verdicts, a refusal's rules) is expanded by the database's own JSON
functions: SQLite's json_each, PostgreSQL's json_array_elements; the two spellings of each query are here side
by side.
"""

from __future__ import annotations

from typing import Any

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

from shared.db import Executor, UtcDateTime, dialect_name

from .domain.dashboard import BEFORE, Timeline
from .domain.refusals import REFUSED, SUBMISSION_WINDOW
from .models import audit_log
from .repository import proposal_versions, proposals, region_partners


def _epoch(executor: Executor, moment: Any) -> ColumnElement[int]:
    """Whole seconds since the epoch of a stored instant (UTC in both databases)."""
    if dialect_name(executor) == "postgresql":
        return cast(func.floor(func.extract("epoch", moment)), BigInteger)
    return cast(func.strftime("%s", moment), Integer)


def _interval_index(executor: Executor, moment: Any, line: Timeline) -> ColumnElement[int]:
    """The interval an instant falls in: BEFORE when before the start, else (seconds since start) // width (an
    index at or past line.count is after the deadline)."""
    seconds = _epoch(executor, moment) - literal(line.start_epoch, BigInteger)
    return case((seconds < 0, literal(BEFORE)), else_=seconds // literal(line.width, BigInteger)).label("interval")


async def status_counts(executor: Executor, call_id: str) -> dict[str, int]:
    """The call's proposals by status (draft, submitted, withdrawn)."""
    query = select(proposals.c.status, func.count()).where(proposals.c.call_id == call_id).group_by(proposals.c.status)
    return {status: int(n) for status, n in await executor.execute(query)}


async def drafts_started(executor: Executor, call_id: str, line: Timeline) -> list[tuple[int, int]]:
    """(interval, proposals created in it): when each proposal of the call was started, withdrawn ones too."""
    index = _interval_index(executor, proposals.c.created_at, line)
    query = select(index, func.count()).where(proposals.c.call_id == call_id).group_by(index)
    return [(int(i), int(n)) for i, n in await executor.execute(query)]


async def submissions(executor: Executor, call_id: str, line: Timeline) -> list[tuple[int, bool, int]]:
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
    return [(int(i), bool(f), int(n)) for i, f, n in await executor.execute(query)]


async def by_region(executor: Executor, call_id: str) -> list[tuple[str, int, int]]:
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
    return [(str(code), int(p), int(n)) for code, p, n in await executor.execute(query)]


async def by_partner_count(executor: Executor, call_id: str) -> dict[int, int]:
    """partners -> proposals having that many, over the same rows as by_region."""
    per_proposal = (
        select(func.count().label("partners"))
        .where(region_partners.c.call_id == call_id)
        .group_by(region_partners.c.proposal_id)
        .subquery()
    )
    query = select(per_proposal.c.partners, func.count()).group_by(per_proposal.c.partners)
    return {int(partners): int(n) for partners, n in await executor.execute(query)}


# The memo of each proposal's last pre-check (proposals.verdicts: {"failures": [[field, "rule: reason"], ...],
# "warnings": ["REGION: reason", ...]}), of the proposals not withdrawn.
_FAILING = {
    "sqlite": """SELECT count(DISTINCT p.id) FROM proposals p, json_each(p.verdicts, '$.failures') f
        WHERE p.call_id = :call_id AND p.status != 'withdrawn' AND p.verdicts_key IS NOT NULL""",
    "postgresql": """SELECT count(DISTINCT p.id) FROM proposals p
        CROSS JOIN LATERAL json_array_elements(p.verdicts -> 'failures') f
        WHERE p.call_id = :call_id AND p.status != 'withdrawn' AND p.verdicts_key IS NOT NULL""",
}
# The rule is the message up to its first ": " (the memo writes "rule: reason"), the whole message without one.
_FAILURES_BY_RULE = {
    "sqlite": """SELECT rule, count(DISTINCT id), count(*) FROM (
            SELECT p.id AS id, CASE WHEN instr(json_extract(f.value, '$[1]'), ': ') > 0
                THEN substr(json_extract(f.value, '$[1]'), 1, instr(json_extract(f.value, '$[1]'), ': ') - 1)
                ELSE json_extract(f.value, '$[1]') END AS rule
            FROM proposals p, json_each(p.verdicts, '$.failures') f
            WHERE p.call_id = :call_id AND p.status != 'withdrawn' AND p.verdicts_key IS NOT NULL)
        GROUP BY rule""",
    "postgresql": """SELECT split_part(f.value ->> 1, ': ', 1) AS rule, count(DISTINCT p.id), count(*)
        FROM proposals p CROSS JOIN LATERAL json_array_elements(p.verdicts -> 'failures') AS f(value)
        WHERE p.call_id = :call_id AND p.status != 'withdrawn' AND p.verdicts_key IS NOT NULL
        GROUP BY 1""",
}
# A regional warning is "REGION: reason"; the memo does not say which rule, nor whether it failed or was left
# to the region's officers.
_WARNINGS_BY_REGION = {
    "sqlite": """SELECT region, count(DISTINCT id), count(*) FROM (
            SELECT p.id AS id, CASE WHEN instr(w.value, ': ') > 0 THEN substr(w.value, 1, instr(w.value, ': ') - 1)
                ELSE '' END AS region
            FROM proposals p, json_each(p.verdicts, '$.warnings') w
            WHERE p.call_id = :call_id AND p.status != 'withdrawn' AND p.verdicts_key IS NOT NULL)
        GROUP BY region""",
    "postgresql": """SELECT CASE WHEN strpos(w.value, ': ') > 0 THEN split_part(w.value, ': ', 1) ELSE '' END,
            count(DISTINCT p.id), count(*)
        FROM proposals p CROSS JOIN LATERAL json_array_elements_text(p.verdicts -> 'warnings') AS w(value)
        WHERE p.call_id = :call_id AND p.status != 'withdrawn' AND p.verdicts_key IS NOT NULL
        GROUP BY 1""",
}


def _sql(executor: Executor, spellings: dict[str, str]) -> Any:
    return text(spellings["postgresql" if dialect_name(executor) == "postgresql" else "sqlite"])


async def prechecks_memo(executor: Executor, call_id: str) -> tuple[int, int]:
    """(proposals with a memo of their last pre-check, those among them whose memo names a consortium rule)."""
    parameters = {"call_id": call_id}
    memo = select(func.count()).where(
        proposals.c.call_id == call_id, proposals.c.status != "withdrawn", proposals.c.verdicts_key.is_not(None)
    )
    checked = (await executor.execute(memo)).scalar_one()
    failing = (await executor.execute(_sql(executor, _FAILING), parameters)).scalar_one()
    return int(checked), int(failing)


async def precheck_failures(executor: Executor, call_id: str) -> list[tuple[str, int, int]]:
    """(consortium rule, proposals whose memo names it, failures naming it) from the memos of verdicts."""
    rows = await executor.execute(_sql(executor, _FAILURES_BY_RULE), {"call_id": call_id})
    return [(str(rule), int(p), int(n)) for rule, p, n in rows]


async def regional_warnings(executor: Executor, call_id: str) -> list[tuple[str, int, int]]:
    """(region code, proposals whose memo warns of it, warnings) from the memos of verdicts."""
    rows = await executor.execute(_sql(executor, _WARNINGS_BY_REGION), {"call_id": call_id})
    return [(str(region), int(p), int(n)) for region, p, n in rows]


# Refused submissions: the audit records `proposal.refused` on the call (use_cases/refusals).
_THE_CALLS_REFUSALS = "a.entity = 'call' AND a.entity_id = :call_id AND a.action = :refused"
_REFUSALS = {
    "sqlite": f"""SELECT count(*), count(DISTINCT json_extract(a.after, '$.proposal_id')) FROM audit_log a
        WHERE {_THE_CALLS_REFUSALS}""",
    "postgresql": f"""SELECT count(*), count(DISTINCT a.after ->> 'proposal_id') FROM audit_log a
        WHERE {_THE_CALLS_REFUSALS}""",
}
_REFUSALS_BY_RULE = {
    "sqlite": f"""SELECT r.value, count(*), count(DISTINCT json_extract(a.after, '$.proposal_id'))
        FROM audit_log a, json_each(a.after, '$.rules') r WHERE {_THE_CALLS_REFUSALS} GROUP BY r.value""",
    "postgresql": f"""SELECT r.value, count(*), count(DISTINCT a.after ->> 'proposal_id')
        FROM audit_log a CROSS JOIN LATERAL json_array_elements_text(a.after -> 'rules') AS r(value)
        WHERE {_THE_CALLS_REFUSALS} GROUP BY r.value""",
}
_REFUSED_AT_DEADLINE = {
    "sqlite": f"""SELECT count(*), count(DISTINCT json_extract(a.after, '$.proposal_id'))
        FROM audit_log a, json_each(a.after, '$.rules') r
        WHERE {_THE_CALLS_REFUSALS} AND r.value = :window AND a.at >= :deadline""",
    "postgresql": f"""SELECT count(*), count(DISTINCT a.after ->> 'proposal_id')
        FROM audit_log a CROSS JOIN LATERAL json_array_elements_text(a.after -> 'rules') AS r(value)
        WHERE {_THE_CALLS_REFUSALS} AND r.value = :window AND a.at >= :deadline""",
}


async def refusals(executor: Executor, call_id: str) -> tuple[int, int]:
    """(submissions refused, distinct proposals refused) in the call."""
    row = (await executor.execute(_sql(executor, _REFUSALS), {"call_id": call_id, "refused": REFUSED})).one()
    return int(row[0]), int(row[1])


async def refusals_by_rule(executor: Executor, call_id: str) -> list[tuple[str, int, int]]:
    """(rule, refusals naming it, distinct proposals refused for it)."""
    rows = await executor.execute(_sql(executor, _REFUSALS_BY_RULE), {"call_id": call_id, "refused": REFUSED})
    return [(str(rule), int(n), int(p)) for rule, n, p in rows]


async def refused_at_deadline(executor: Executor, call_id: str, deadline: Any) -> tuple[int, int]:
    """(submissions refused for the submission window at or after `deadline`, distinct proposals)."""
    statement = _sql(executor, _REFUSED_AT_DEADLINE).bindparams(bindparam("deadline", type_=UtcDateTime))
    parameters = {"call_id": call_id, "refused": REFUSED, "window": SUBMISSION_WINDOW, "deadline": deadline}
    row = (await executor.execute(statement, parameters)).one()
    return int(row[0]), int(row[1])


async def refusals_over_time(executor: Executor, call_id: str, line: Timeline) -> list[tuple[int, int]]:
    """(interval, submissions refused in it)."""
    index = _interval_index(executor, audit_log.c.at, line)
    query = (
        select(index, func.count())
        .where(audit_log.c.entity == "call", audit_log.c.entity_id == call_id, audit_log.c.action == REFUSED)
        .group_by(index)
    )
    return [(int(i), int(n)) for i, n in await executor.execute(query)]
