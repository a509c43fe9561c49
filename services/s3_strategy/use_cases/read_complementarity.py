"""An agency reads the domains related to a region's own that other regions are strong in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.relatedness import RelatedDomain, complementary_domains
from ..errors import UnknownRegion
from ..repository import all_region_priorities


async def complementarity_of(session: AsyncSession, region_code: str, *, limit: int) -> list[RelatedDomain]:
    regions = await all_region_priorities(session)
    try:
        return complementary_domains(regions, region_code, limit=limit)
    except KeyError:
        raise UnknownRegion(f"No region {region_code} has priorities here.") from None
