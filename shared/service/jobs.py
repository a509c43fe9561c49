"""A service's periodic background job: one pass in its own transaction every few seconds, until the worker
stops; a failing pass is logged and tried again at the next one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from .definition import BackgroundJob, Runtime

logger = logging.getLogger(__name__)


def every(
    interval_s: float, runtime: Runtime, one_pass: Callable[[AsyncSession, Runtime], Awaitable[object]], *, doing: str
) -> BackgroundJob:
    """The job that runs `one_pass` (e.g. a service's `follow_clock_once`) in one transaction per pass;
    `doing` names it in the log when a pass fails ("following the clock")."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with runtime.sessions() as session, session.begin():
                    await one_pass(session, runtime)
            except Exception:
                logger.exception("%s failed; trying again", doing)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)

    return job
