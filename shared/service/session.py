"""The request-scoped dependencies: the runtime, and one database session per request that commits once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from .definition import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _runtime_dependency(request: Request) -> Runtime:
    """get_runtime as a dependency: `async def`, since FastAPI runs a plain `def` dependency in its thread
    pool, a thread hand-off on every request for what is an attribute read."""
    return get_runtime(request)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the endpoint returns without error.

    scope="function" makes the commit happen before the response is sent: a 2xx means durable.
    """
    async with get_runtime(request).sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


DbSession = Annotated[AsyncSession, Depends(_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(_runtime_dependency)]
