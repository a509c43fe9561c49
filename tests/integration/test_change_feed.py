"""The regions' change feed on PostgreSQL: concurrent writers, a reader polling with its cursor
all the while, and nothing missed (feed rows commit in id order)."""

from __future__ import annotations

import asyncio
import random

import pytest

from services.regional_eligibility.feed import announce
from services.regional_eligibility.repository import feed_after
from services.registry import SERVICES
from shared.clock import SystemClock
from shared.service import open_runtime
from tests.helpers import migrate_in_thread
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration


async def test_a_polling_reader_misses_nothing_under_concurrent_writes(stack: Stack) -> None:
    definition = SERVICES["regional_eligibility"]
    settings = definition.settings_class(database_url=stack.database_urls["regional_eligibility"])
    await migrate_in_thread(definition, settings.database_url)
    runtime = open_runtime(definition, settings, SystemClock())
    rng = random.Random(5)
    writers, per_writer = 12, 8

    async def writer(number: int) -> None:
        for item in range(per_writer):
            async with runtime.sessions() as session, session.begin():
                await announce(session, runtime, {"AT-4"}, "checks.opened", f"{number}-{item}", {"n": item})
                await asyncio.sleep(rng.random() / 50)  # commit late: an unordered feed would show a gap here

    seen: list[int] = []
    done = asyncio.Event()

    async def reader() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            async with runtime.sessions() as session:
                events = await feed_after(session, "AT-4", cursor, 50)
            seen.extend(event.id for event in events)
            cursor = events[-1].id if events else cursor
            if finished and not events:
                return
            await asyncio.sleep(0.005)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(n) for n in range(writers)))
    done.set()
    await reading
    async with runtime.sessions() as session:
        everything = [event.id for event in await feed_after(session, "AT-4", 0, 10_000)]
    assert len(everything) == writers * per_writer
    assert seen == everything  # in order, none skipped, none twice
    await runtime.engine.dispose()
