"""An agency reads the synergy matrix between regions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.synergy import SynergyMatrix, synergy_matrix
from ..repository import all_region_priorities


async def matrix_of(session: AsyncSession) -> SynergyMatrix:
    return synergy_matrix(await all_region_priorities(session))
