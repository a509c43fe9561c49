"""Anyone with a role reads every region's S3 priorities, by region code, a page at a time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.pagination import Window, key_after, window

from ..domain.model import StoredRegion
from ..repository import as_domain, list_regions, priorities_of


async def list_region_priorities(session: AsyncSession, *, cursor: str | None, limit: int) -> Window[StoredRegion]:
    regions = await list_regions(session, after=key_after(cursor), limit=limit)
    rows = await priorities_of(session, [r.code for r in regions])
    page = window(regions, limit, lambda region: region.code)
    return Window([StoredRegion(as_domain(r, rows[r.code]), r.revision) for r in regions], page.next_cursor)
