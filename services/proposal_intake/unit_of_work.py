"""How proposal_intake reaches its database: through a session, like every service.

A request works in the one session of `shared.service.DbSession` (committed once, before the answer). The
repositories' hot statements (draft, pre-check, submit) are Core statements: `execute` runs them on the
session's own connection, in the session's transaction, so they skip the ORM's per-statement work (ORM
compile state, execution events, identity map) and stay as fast as they were on a bare connection.

`separate_unit_of_work` is the one way to open a transaction outside the request's session, for the few
places where the request's session cannot be the one (each says why where it uses it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shared.service import Runtime


async def execute(
    session: AsyncSession,
    statement: Executable,
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[*tuple[Any, ...]]:
    """A Core statement (never an ORM entity query) in the session's transaction, on its connection."""
    return await (await _connection(session)).execute(statement, parameters)


async def _connection(session: AsyncSession) -> AsyncConnection:
    """The session's connection in its current transaction, asked of the session once per transaction: every
    `session.connection()` is a greenlet hand-off, which on the submit path (5 statements) cost more CPU than the
    bare connection it replaced. Kept in `session.info` with the transaction it belongs to; a new transaction
    (after a commit or a rollback) asks again."""
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_KEPT)
    if transaction is not None and kept is not None and kept[0] is transaction:
        connection: AsyncConnection = kept[1]
        return connection
    connection = await session.connection()
    session.info[_KEPT] = (session.sync_session.get_transaction(), connection)
    return connection


_KEPT = "proposal_intake.core_connection"


@asynccontextmanager
async def separate_unit_of_work(runtime: Runtime) -> AsyncIterator[AsyncSession]:
    """A session of its own, committed when the block ends without error (rolled back otherwise)."""
    async with runtime.sessions() as session, session.begin():
        yield session
