"""The embedded default as the end-to-end tests run it: on a shifted clock (the demo's), or in sandbox mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.clock import ShiftedClock
from tests.helpers import embedded_client


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, ShiftedClock]]:
    clock = ShiftedClock()
    async with embedded_client(tmp_path, clock=clock) as client:
        yield client, clock


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with embedded_client(tmp_path, sandbox=True) as client:
        yield client
