"""The migration that gives audit_log its call_id fills it in for the rows already there: each service maps the
entity a row names (a proposal, a check, an assessment, an evaluator, a project, a partner's contract, a report,
the call itself, a topic's call started) to its call, on SQLite and on PostgreSQL. Rows of an entity it cannot
map stay without one."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry import SERVICES
from shared.service.migrations import migrate
from tests.conftest import drop_postgres_database, scratch_database

CALL = "11111111-1111-1111-1111-111111111111"
NOW = "2026-12-03 12:00:00"

# Per service: the revision before the one adding call_id, the rows the mapping needs (SQL), then the audit rows
# (entity, entity_id) and the call_id each must get.
CASES: dict[str, tuple[str, list[str], list[tuple[str, str, str | None]]]] = {
    "call_definition": ("0003", [], [("call", CALL, CALL)]),
    "proposal_intake": (
        "0004",
        [
            "INSERT INTO proposals (id, call_id, applicant_id, status, draft, draft_revision, current_version, "
            f"created_at, updated_at) VALUES ('p-1', '{CALL}', 'acme', 'draft', '{{}}', 1, 0, '{NOW}', '{NOW}')"
        ],
        [("proposal", "p-1", CALL), ("call", CALL, CALL), ("proposal", "p-unknown", None)],
    ),
    "regional_eligibility": (
        "0002",
        [
            "INSERT INTO proposal_cases (proposal_id, call_id, version, acronym, status, outcome, reasons, submission, "
            f"decision_version, updated_at) VALUES ('p-1', '{CALL}', 1, 'ALPHA', 'checking', 'pending', '[]', "
            f"'{{}}', 0, '{NOW}')",
            "INSERT INTO partner_checks (id, proposal_id, call_id, proposal_version, organisation_name, region_code, "
            f"rule, automatic_verdict, verdict, reason, current, checked_at) VALUES (7, 'p-1', '{CALL}', 1, 'Alpha', "
            f"'AT-4', 'regional.trl', 'pass', 'pass', 'ok', true, '{NOW}')",
        ],
        [("check", "7", CALL), ("check", "8", None)],
    ),
    "joint_evaluation": (
        "0004",
        [
            f"INSERT INTO evaluators (id, call_id, name, email, organisation, country, expertise, max_load, "
            f"registered_at) VALUES ('e-1', '{CALL}', 'Eve', 'eve@example.org', 'Org', 'AT', '[]', 5, '{NOW}')",
        ],
        [("evaluator", "e-1", CALL), ("call", CALL, CALL)],
    ),
    # s3_strategy's only rows of a call: a topic's call started, the call's id in the row's own `after`
    "s3_strategy": ("0001", [], [("topic", "t-1", CALL), ("region", "AT-4", None)]),
    "project_monitoring": (
        "0001",
        [
            "INSERT INTO projects (proposal_id, call_id, acronym, applicant_id, rank, status, funded_by, funded_at, "
            f"updated_at) VALUES ('p-1', '{CALL}', 'ALPHA', 'acme', 1, 'contracting', 'agency', '{NOW}', '{NOW}')",
        ],
        [("project", "p-1", CALL), ("project", "p-2", None)],
    ),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("service", sorted(CASES))
async def test_rows_written_before_the_column_get_their_call(
    service: str, database_backend: str, tmp_path: Path
) -> None:
    before, setup, rows = CASES[service]
    definition = SERVICES[service]
    url = await scratch_database(f"backfill_{service}", database_backend, tmp_path)
    try:
        await asyncio.to_thread(migrate, definition, url, before)
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            for statement in setup:
                await connection.execute(text(statement))
            for entity, entity_id, _ in rows:
                after = "CAST(:after AS JSON)" if database_backend == "postgresql" else ":after"
                await connection.execute(
                    text(
                        "INSERT INTO audit_log (at, actor, action, entity, entity_id, after) "
                        f"VALUES (:at, 'agency', 'topic.call_started', :entity, :entity_id, {after})"
                    ),
                    {
                        "at": _moment(database_backend),
                        "entity": entity,
                        "entity_id": entity_id,
                        "after": json.dumps({"call_id": CALL}),
                    },
                )
        await asyncio.to_thread(migrate, definition, url)
        async with engine.connect() as connection:
            found = (
                await connection.execute(text("SELECT entity, entity_id, call_id FROM audit_log ORDER BY id"))
            ).all()
        await engine.dispose()
    finally:
        if database_backend == "postgresql":
            await drop_postgres_database(url)
    assert [tuple(row) for row in found] == rows


def _moment(backend: str) -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 12, 3, 12, tzinfo=UTC) if backend == "postgresql" else NOW
