"""Fixtures shared by every test: a movable clock, tokens per role, apps on temporary SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry import SERVICES
from shared.clock import MovableClock
from shared.service import build_app
from tests.helpers import NOW, migrate_in_thread


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


ServiceClient = Callable[[str], Awaitable[tuple[httpx.AsyncClient, FastAPI]]]


@pytest.fixture
async def service_client(tmp_path: Path, clock: MovableClock) -> AsyncIterator[ServiceClient]:
    """Start one service's API on a fresh SQLite database; returns (client, app)."""
    opened: list[tuple[httpx.AsyncClient, Any]] = []

    async def start(name: str) -> tuple[httpx.AsyncClient, FastAPI]:
        definition = SERVICES[name]
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
