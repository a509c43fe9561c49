"""Read-your-writes for proposal_intake's copy of a call (see shared.call_backfill): a use case that finds no
copy of its call is run again once the call is back-filled from call_definition, in a new transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.call_backfill import CallFetcher, backfill_in, not_yet_known
from shared.errors import NotYetKnown
from shared.service import Runtime

from .call_cache import CallNotKnownHere
from .models import call_copies
from .unit_of_work import separate_unit_of_work

T = TypeVar("T")


async def with_call_known(
    runtime: Runtime, session: AsyncSession, fetch: CallFetcher, call_id: str, attempt: Callable[[], Awaitable[T]]
) -> T:
    """Run `attempt` (a use case in the request's `session`); if this service has no copy of the call yet,
    back-fill it from call_definition and run it once more, in a new transaction of the session that sees the copy.

    The back-fill is a unit of work of its own: the copy is kept even if the attempt is then refused.
    """
    try:
        return await attempt()
    except CallNotKnownHere:
        await session.rollback()  # the attempt only read; its next statement starts a new transaction
        async with separate_unit_of_work(runtime) as own:
            await backfill_in(own, call_copies, fetch, call_id, runtime.clock)
    try:
        return await attempt()
    except CallNotKnownHere as exc:  # stored and gone again: cannot happen unless the copy was removed
        raise NotYetKnown(not_yet_known(call_id)) from exc
