"""Async engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite, WAL)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import DateTime, Dialect, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# What a query function runs its statements on: a request's ORM session, or a connection in a transaction
# (`async with engine.begin()`) where only Core statements run.
Executor: TypeAlias = AsyncSession | AsyncConnection


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
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
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
