"""Each service's migrations build exactly the schema its models declare (alembic's autogenerate
comparison finds no difference), on SQLite and on PostgreSQL, and downgrade back to nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry import SERVICES
from shared.service import alembic_config
from tests.conftest import drop_postgres_database, scratch_database
from tests.helpers import migrate_in_thread


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _ignored(difference: Any, service: str) -> bool:
    """alembic's own version table is not part of a service's models."""
    if isinstance(difference, tuple) and difference[0] == "remove_table":
        return str(difference[1].name).startswith("alembic_version")
    return False


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_produce_the_models_schema(service: str, database_backend: str, tmp_path: Path) -> None:
    definition = SERVICES[service]
    url = await scratch_database(f"schema_{service}", database_backend, tmp_path)
    try:
        await migrate_in_thread(definition, url, copy=False)
        engine = create_async_engine(url)
        async with engine.connect() as connection:

            def compare(sync_connection: Any) -> list[Any]:
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return list(compare_metadata(context, definition.metadata))

            differences = await connection.run_sync(compare)
        await asyncio.to_thread(command.downgrade, alembic_config(definition, url), "base")
        async with engine.connect() as connection:
            left = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await engine.dispose()
    finally:
        if database_backend == "postgresql":
            await drop_postgres_database(url)
    assert [d for d in differences if not _ignored(d, service)] == []
    # Downgrading to base removes every table but alembic's own version table.
    assert [table for table in left if not table.startswith("alembic_version")] == []
