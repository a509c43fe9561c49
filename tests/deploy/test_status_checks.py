"""The database refuses a status its enum does not have: each service's migrations create the CHECK constraints
its models declare (shared.status_checks), listing exactly the same values, on SQLite and on PostgreSQL; and a
row with a bad status is refused where a row with a good one is accepted.

alembic's autogenerate comparison (test_migrations_match_models) does not compare CHECK constraints: this does.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import JSON, CheckConstraint, Table, TypeDecorator, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry import SERVICES
from shared.service import alembic_config
from tests.conftest import drop_postgres_database, scratch_database
from tests.helpers import migrate_in_thread

# The services whose statuses live in their database (the shared common tables are not checked here).
CHECKED = ["call_definition", "joint_evaluation", "project_monitoring", "proposal_intake", "regional_eligibility"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _model_checks(service: str) -> dict[tuple[str, str], set[str]]:
    """(table, constraint name) -> the values it allows, as the models declare them."""
    return {
        (table.name, str(constraint.name)): set(constraint.info["values"])
        for table in SERVICES[service].metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint) and "values" in constraint.info
    }


def _row(table: Table, n: int, parents: dict[str, dict[str, Any]] | None = None, **given: Any) -> dict[str, Any]:
    """A row every NOT NULL column of `table` has a value in (a valid status where one is checked; a foreign
    key the value in the row of `parents` it refers to)."""
    statuses = {
        c.info["column"]: c.info["values"][0]
        for c in table.constraints
        if isinstance(c, CheckConstraint) and "values" in c.info
    }
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.nullable or column.server_default is not None or column.default is not None:
            continue
        if column.primary_key and column.autoincrement is True:
            continue
        if column.name in statuses:
            row[column.name] = statuses[column.name]
            continue
        if column.foreign_keys and parents is not None:
            target = next(iter(column.foreign_keys)).column
            row[column.name] = parents[target.table.name][target.name]
            continue
        stored = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
        kind = dict if isinstance(stored, JSON) else stored.python_type
        if kind is str:
            row[column.name] = f"{n}{column.name}"[: getattr(stored, "length", None) or 50]
        elif kind is bool:
            row[column.name] = False
        elif kind is int:
            row[column.name] = n
        elif kind is datetime:
            row[column.name] = datetime(2026, 1, 1, tzinfo=UTC)
        elif kind is Decimal:
            row[column.name] = Decimal(1)
        elif kind in (dict, list):
            row[column.name] = kind()
        elif kind is bytes:
            row[column.name] = b"x"
        else:
            raise AssertionError(f"no test value for {table.name}.{column.name} ({kind})")
    return {**row, **given}


@pytest.mark.parametrize("service", CHECKED)
async def test_the_database_lists_the_models_statuses_and_refuses_others(
    service: str, database_backend: str, tmp_path: Path
) -> None:
    definition = SERVICES[service]
    expected = _model_checks(service)
    assert expected, f"{service} declares no status check"
    url = await scratch_database(f"checks_{service}", database_backend, tmp_path)
    engine = create_async_engine(url)
    try:
        # Rows written before the checks came (one in every table, statuses among the values) go through the
        # migration that adds them, and are all still there after it.
        await migrate_in_thread(definition, url, copy=False)
        await asyncio.to_thread(command.downgrade, alembic_config(definition, url), "-1")
        rows: dict[str, dict[str, Any]] = {}
        async with engine.begin() as connection:
            for table in definition.metadata.sorted_tables:
                rows[table.name] = _row(table, 1, rows)
                inserted = await connection.execute(table.insert().values(rows[table.name]))
                rows[table.name].update(inserted.inserted_primary_key._asdict())
        await migrate_in_thread(definition, url, copy=False)
        async with engine.connect() as connection:
            for table in definition.metadata.sorted_tables:
                assert (await connection.execute(select(func.count()).select_from(table))).scalar_one() == 1

            def reflected(sync: Any) -> dict[tuple[str, str], set[str]]:
                inspector = inspect(sync)
                return {
                    (table, str(check["name"])): set(re.findall(r"'([^']*)'", check["sqltext"]))
                    for table in inspector.get_table_names()
                    for check in inspector.get_check_constraints(table)
                }

            assert await connection.run_sync(reflected) == expected

        # A good status is stored, a bad one refused, in every checked table no foreign key ties to another.
        tried = 0
        for n, (table_name, name) in enumerate(sorted(expected), start=1):
            table = definition.metadata.tables[table_name]
            if table.foreign_keys:
                continue
            column = next(c for c in table.constraints if c.name == name).info["column"]
            async with engine.begin() as connection:
                await connection.execute(table.insert().values(_row(table, 2 * n)))
            with pytest.raises(IntegrityError):
                async with engine.begin() as connection:
                    await connection.execute(table.insert().values(_row(table, 2 * n + 1, **{column: "bogus"})))
            tried += 1
        assert tried, f"no table of {service} was tried"
    finally:
        await engine.dispose()
        if database_backend == "postgresql":
            await drop_postgres_database(url)
