"""Each service's migrations: its alembic configuration (own version table) and the body of its env.py."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from shared.db import create_engine

from .definition import ServiceDefinition


def alembic_config(definition: ServiceDefinition, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", definition.migrations)
    config.set_main_option("version_table", f"alembic_version_{definition.name}")
    config.attributes["database_url"] = database_url
    return config


def migrate(definition: ServiceDefinition, database_url: str, revision: str = "head") -> None:
    """Bring the service's database to `revision` (synchronous: run before the event loop starts)."""
    command.upgrade(alembic_config(definition, database_url), revision)


def run_migrations_online(context: Any, metadata: MetaData) -> None:
    """The body of every service's migrations/env.py: async engine, own version table."""
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    version_table = config.get_main_option("version_table")

    def do_run(connection: Any) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())
