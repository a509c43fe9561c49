"""Anyone with a role reads one region's S3 priorities (they are published strategies)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.model import StoredRegion
from ..errors import UnknownRegion
from ..repository import as_domain, get_region, priorities_of


async def read_region(session: AsyncSession, *, code: str) -> StoredRegion:
    region = await get_region(session, code)
    if region is None:
        raise UnknownRegion(f"No region {code}.")
    rows = await priorities_of(session, [code])
    return StoredRegion(as_domain(region, rows[code]), region.revision)
