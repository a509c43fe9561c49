"""The worker's periodic jobs (ServiceDefinition.background): each runs a use case on a schedule until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from shared.service import Runtime

from .use_cases.collect_orphans import collect_orphans

logger = logging.getLogger(__name__)


async def collect_orphans_forever(runtime: Runtime, stop: asyncio.Event, *, interval_s: float = 600.0) -> None:
    """The worker's background job."""
    settings = runtime.settings
    grace_s = float(getattr(settings, "document_orphan_grace_s", 3600))
    while not stop.is_set():
        try:
            collected = await collect_orphans(runtime, grace_s=grace_s)
            if collected:
                logger.info("collected %d orphaned document contents", collected)
        except Exception:
            logger.warning("could not collect orphaned documents", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
