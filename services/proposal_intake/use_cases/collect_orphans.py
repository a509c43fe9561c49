"""Orphaned bytes are collected: content no draft and no version links any more, untouched for a grace
period (an upload that linked it meanwhile touched it), and files of uploads cut off before they committed."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from shared.service import Runtime

from ..document_repository import forget_orphan, known_locators, orphans
from ..storage import FileStore, document_store
from ..unit_of_work import separate_unit_of_work


async def collect_orphans(runtime: Runtime, *, grace_s: float, batch: int = 100) -> int:
    """Drop what no document links; returns how many contents went."""
    store = document_store(runtime.settings, runtime.engine)
    cutoff = runtime.clock.now() - timedelta(seconds=grace_s)
    collected = 0
    while True:
        # The worker's job, outside any request: one unit of work per batch (a long collection never holds
        # one transaction, and each batch's deletions are kept as soon as it ends).
        async with separate_unit_of_work(runtime) as session:
            found = await orphans(session, cutoff, batch)
            for sha256, locator in found:
                # Each row deleted only if it is still an orphan untouched since the cutoff; its bytes with it,
                # in the same transaction where the store is the database.
                if await forget_orphan(session, sha256, cutoff):
                    await store.delete(session, locator)
                    collected += 1
        if len(found) < batch:
            break
    if isinstance(store, FileStore):
        for path in store.stray_files(grace_s):
            with contextlib.suppress(FileNotFoundError):
                await asyncio.to_thread(path.unlink)
        await _unlinked_files(runtime, store, grace_s)
    return collected


async def _unlinked_files(runtime: Runtime, store: FileStore, grace_s: float) -> None:
    """Files renamed into place by an upload whose transaction then failed: no row names them."""
    candidates = store.stored_files(grace_s)
    async with separate_unit_of_work(runtime) as session:
        known = await known_locators(session, [locator for locator, _ in candidates])
    for locator, path in candidates:
        if locator not in known:
            with contextlib.suppress(FileNotFoundError):
                await asyncio.to_thread(path.unlink)
