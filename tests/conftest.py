"""Fixtures shared by every test: a movable clock, tokens per role, apps on temporary SQLite (or PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.registry import SERVICES
from shared.clock import MovableClock
from shared.service import ServiceDefinition, build_app
from tests.helpers import NOW, migrate_in_thread


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


ServiceClient = Callable[[str], Awaitable[tuple[httpx.AsyncClient, FastAPI]]]


POSTGRES_URL = os.environ.get("JOINTCALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def database_backend() -> str:
    """Where service_client puts a service's database: SQLite. A module overrides this fixture with
    params=["sqlite", "postgresql"] to run its tests on both (PostgreSQL: see postgres_database)."""
    return "sqlite"


async def postgres_database(purpose: str, *, template: str | None = None) -> str:
    """A fresh PostgreSQL database (asyncpg URL; a copy of the database `template` if given); skipped when the
    server is not reachable, but a failure in CI (CI=true), where it must be (as for tests/integration)."""
    try:
        admin = await asyncpg.connect(POSTGRES_URL, timeout=5)
    except Exception as exc:
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable ({type(exc).__name__}: {exc})"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    name = f"jc_test_{purpose}_{uuid.uuid4().hex[:10]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def scratch_database(purpose: str, database_backend: str, folder: Path) -> str:
    """An empty database for a migrations test: a fresh PostgreSQL one (see postgres_database), or a SQLite
    file `purpose`.sqlite in `folder`."""
    if database_backend == "postgresql":
        return await postgres_database(purpose)
    return f"sqlite+aiosqlite:///{folder / f'{purpose}.sqlite'}"


async def drop_postgres_database(url: str) -> None:
    admin = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


_POSTGRES_TEMPLATES: dict[str, str] = {}  # service -> the URL of its database migrated once in this test process


async def migrated_postgres_database(definition: ServiceDefinition) -> str:
    """A fresh PostgreSQL database at the service's head: CREATE DATABASE ... TEMPLATE of one alembic migrated
    once in this test process (dropped at its end)."""
    template = _POSTGRES_TEMPLATES.get(definition.name)
    if template is None:
        template = await postgres_database(f"template_{definition.name}")
        await migrate_in_thread(definition, template)
        if _POSTGRES_TEMPLATES.setdefault(definition.name, template) != template:  # another test made one first
            await drop_postgres_database(template)
            template = _POSTGRES_TEMPLATES[definition.name]
    return await postgres_database(definition.name, template=template.rsplit("/", 1)[1])


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_templates() -> Iterator[None]:
    yield
    if _POSTGRES_TEMPLATES:

        async def drop_all() -> None:
            for url in _POSTGRES_TEMPLATES.values():
                await drop_postgres_database(url)

        asyncio.run(drop_all())


@pytest.fixture
async def service_client(tmp_path: Path, clock: MovableClock, database_backend: str) -> AsyncIterator[ServiceClient]:
    """Start one service's API on a fresh database (SQLite, or PostgreSQL: see database_backend);
    returns (client, app)."""
    opened: list[tuple[httpx.AsyncClient, Any]] = []
    databases: list[str] = []

    async def start(name: str) -> tuple[httpx.AsyncClient, FastAPI]:
        definition = SERVICES[name]
        if database_backend == "postgresql":
            databases.append(await migrated_postgres_database(definition))
            settings = definition.settings_class(data_dir=tmp_path, database_url=databases[-1])
        else:
            settings = definition.settings_class(data_dir=tmp_path)
            await migrate_in_thread(definition, settings.database_url)
        app = build_app(definition, settings, clock=clock)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        opened.append((client, lifespan))
        return client, app

    yield start
    for client, lifespan in opened:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
    for url in databases:
        await drop_postgres_database(url)
