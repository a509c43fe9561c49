"""shared.db on SQLite: a statement is one trip to the connection's thread, with what SQLAlchemy reads back
(rows, row counts, generated keys, errors) as aiosqlite's own cursor gives it; the pool keeps its connections."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosqlite import Connection
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from shared.db import SQLITE_POOL_SIZE, OneHopConnection, create_engine, sqlite_url_for

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(20), nullable=False, unique=True),
)


async def test_a_statement_runs_in_one_trip_and_reads_back_rows_counts_and_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(sqlite_url_for(tmp_path / "items.db"))
    trips: list[str] = []
    original = Connection._execute

    async def counted(self: Connection, fn: object, *args: object, **kwargs: object) -> object:
        trips.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            assert isinstance(connection.sync_connection.connection.driver_connection, OneHopConnection)  # type: ignore[union-attr]
            monkeypatch.setattr(Connection, "_execute", counted)
            inserted = await connection.execute(insert(items).values(name="first"))
            assert inserted.inserted_primary_key == (1,)
            assert trips == ["run"]  # not cursor, execute, fetchall, close
            many = await connection.execute(insert(items), [{"name": "second"}, {"name": "third"}])
            assert many.rowcount == 2
            changed = await connection.execute(update(items).where(items.c.id > 1).values(name=items.c.name + "!"))
            assert changed.rowcount == 2
            rows = (await connection.execute(select(items.c.id, items.c.name).order_by(items.c.id))).all()
            assert [tuple(row) for row in rows] == [(1, "first"), (2, "second!"), (3, "third!")]
            streamed = await connection.stream(select(items.c.name).order_by(items.c.id))
            assert [row.name async for row in streamed] == ["first", "second!", "third!"]
            assert (await connection.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(insert(items).values(name="first"))
        trips.clear()
        async with engine.connect() as connection:  # the failed transaction left nothing behind
            assert (await connection.execute(select(items.c.name).where(items.c.id == 4))).first() is None
        assert trips == ["run"]  # a read opens no transaction: nothing to roll back when the pool takes it back
        trips.clear()
        async with engine.begin() as connection:
            await connection.execute(insert(items).values(name="fourth"))
        assert trips == ["run", "commit"]  # a write is committed
        async with engine.connect() as connection:
            assert (await connection.execute(select(items.c.id).where(items.c.name == "fourth"))).scalar() == 4
    finally:
        await engine.dispose()


async def test_a_sqlite_file_keeps_its_pool_open_and_memory_keeps_one_connection(tmp_path: Path) -> None:
    engine = create_engine(sqlite_url_for(tmp_path / "pool.db"))
    memory = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert engine.pool.size() == SQLITE_POOL_SIZE  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
        async with memory.begin() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()
        await memory.dispose()
