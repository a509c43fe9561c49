"""Async engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite, WAL)."""

from __future__ import annotations

import collections
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import aiosqlite
from sqlalchemy import DateTime, Dialect, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# What a query function runs its statements on: a request's ORM session, or a connection in a transaction
# (`async with engine.begin()`) where only Core statements run.
Executor: TypeAlias = AsyncSession | AsyncConnection

# A SQLite file's pool: the connections SQLAlchemy's default allows at most (5, and 10 overflow), all kept open.
# An overflow connection is closed as soon as it is returned, so a burst above 5 opened and closed connections
# (each a thread, a file open and the pragmas) several times a second in the embedded demo (245 in a run of 60).
SQLITE_POOL_SIZE = 15


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 20, max_overflow: int = 0, **kwargs: Any) -> AsyncEngine:
    """An async engine on PostgreSQL (asyncpg) or SQLite (aiosqlite, WAL mode).

    On PostgreSQL the pool keeps `pool_size` connections and, by default, opens none beyond them: SQLAlchemy
    closes an overflow connection as soon as it is returned, so a load above the pool's size would open and
    close a server connection (a backend process, authentication, statements prepared again) several times a
    second; requests beyond the pool wait for a connection instead (backpressure, not churn).
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        if database and database != ":memory:" and "poolclass" not in kwargs:
            kwargs = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 0, "pool_use_lifo": True, **kwargs}
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "do_connect", _connect_one_hop)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Unique statement names keep asyncpg working behind PgBouncer in transaction mode, where a
    # connection's prepared statements may belong to another client (SQLAlchemy's recipe).
    kwargs.setdefault("connect_args", {"prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__"})
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server closed (restart, idle kill) is replaced before use, like pre-ping does.

    asyncpg notices a closed socket by itself, so this costs no round trip; SQLAlchemy's pool_pre_ping on
    asyncpg costs three per checkout (BEGIN, a statement, ROLLBACK), i.e. per request. A connection that
    dies silently (no FIN) is noticed by its first statement instead, which fails that request and makes
    SQLAlchemy invalidate the pool.
    """
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the pooled connection was closed by the server")


def _connect_one_hop(dialect: Dialect, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """The aiosqlite connection SQLAlchemy would open, with `OneHopCursor`s (same arguments, same adapter)."""
    return dialect.loaded_dbapi.connect(*cargs, async_creator_fn=_one_hop_connection, **cparams)


def _one_hop_connection(database: str, **kwargs: Any) -> OneHopConnection:
    connection = OneHopConnection(lambda: sqlite3.connect(database, **kwargs), 64)
    connection._thread.daemon = True  # as SQLAlchemy does: an engine not disposed does not hold up the exit
    return connection


class OneHopConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors run a statement in one trip to the connection's thread.

    aiosqlite's cursor makes one trip per call: SQLAlchemy's adapter opens it (a trip), executes (a trip),
    fetches every row (a trip) and closes it (a trip). Each trip wakes the thread and then the event loop
    through its self-pipe, and switches greenlets twice: 75,800 trips in a demo of 60 consortia, a fifth of the
    main thread's busy samples sat in handing them over. `OneHopCursor` does the four in one trip; the rows are
    fetched as SQLAlchemy's adapter fetched them anyway (all of them, right after execute).
    """

    def cursor(self) -> OneHopCursor:  # type: ignore[override]  # aiosqlite's is an awaitable context manager
        return OneHopCursor(self)

    # Outside a transaction sqlite3's commit and rollback do nothing, but aiosqlite still makes the trip: the pool
    # rolls back every connection it gets back, most of them after reads (5,760 of 27,300 trips in that demo).
    # No statement of this connection is under way when SQLAlchemy commits or rolls back, so the flag is settled.

    async def commit(self) -> None:
        if self._connection is None or self._connection.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self._connection is None or self._connection.in_transaction:
            await super().rollback()


class OneHopCursor:
    """The aiosqlite cursor's interface as SQLAlchemy's aiosqlite adapter uses it, over a result read at once."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: collections.deque[Any] = collections.deque()

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneHopCursor:
        await self._run(lambda cursor: cursor.execute(sql, () if parameters is None else parameters))
        return self

    async def executemany(self, sql: str, parameters: Sequence[Sequence[Any]]) -> OneHopCursor:
        await self._run(lambda cursor: cursor.executemany(sql, parameters))
        return self

    async def _run(self, statement: Callable[[sqlite3.Cursor], object]) -> None:
        connection = self._connection

        def run() -> tuple[Any, int, int | None, list[Any]]:  # on the connection's thread
            cursor = connection._conn.cursor()
            try:
                statement(cursor)
                rows = cursor.fetchall() if cursor.description is not None else []
                return cursor.description, cursor.rowcount, cursor.lastrowid, rows
            finally:
                cursor.close()

        self.description, self.rowcount, self.lastrowid, rows = await connection._execute(run)  # type: ignore[no-untyped-call]
        self._rows = collections.deque(rows)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one writer commits; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_url_for(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.resolve()}"


def create_session_factory(
    engine: AsyncEngine, *, info: dict[str, object] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; `info` goes into each session's `info` (a runtime's caches, shared.cache)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


def dialect_name(executor: Executor) -> str:
    bind = executor.get_bind() if isinstance(executor, AsyncSession) else executor
    return bind.dialect.name


class UtcDateTime(TypeDecorator[datetime]):
    """An instant: stored as UTC, read back timezone-aware (SQLite keeps no offset by itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must carry their UTC offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
