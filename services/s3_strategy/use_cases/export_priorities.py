"""An agency exports every region's priorities (in the import format: the route writes JSON or CSV)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.model import RegionPriorities
from ..repository import all_region_priorities


async def export_priorities(session: AsyncSession) -> list[RegionPriorities]:
    return await all_region_priorities(session)
