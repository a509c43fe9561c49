"""A service's local copy of a call: the newest revision wins whatever order the events arrive in."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData

from shared.clock import MovableClock
from shared.db import create_engine, create_session_factory
from shared.readmodel import add_call_copy_table, load_call_copy, upsert_call_copy
from tests.helpers import published_call


async def test_an_older_revision_arriving_late_never_replaces_a_newer_one(tmp_path: Path, clock: MovableClock) -> None:
    metadata = MetaData()
    table = add_call_copy_table(metadata)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'copies.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = create_session_factory(engine)
    call = published_call(clock)
    published = call.model_copy(update={"version": 1, "revision": 2, "status": "published"})
    opened = call.model_copy(update={"version": 1, "revision": 3, "status": "open"})
    closed = call.model_copy(update={"version": 1, "revision": 4, "status": "closed"})
    try:
        async with sessions.begin() as session:
            assert await upsert_call_copy(session, table, published, clock)
            assert await upsert_call_copy(session, table, closed, clock)
            assert not await upsert_call_copy(session, table, opened, clock)  # late: revision 3 < 4
            assert not await upsert_call_copy(session, table, closed, clock)  # redelivered: nothing changes
        async with sessions() as session:
            stored = await load_call_copy(session, table, call.call_id)
    finally:
        await engine.dispose()
    assert stored is not None
    assert (stored.status, stored.revision) == ("closed", 4)
