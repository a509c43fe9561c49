"""An agency reads the candidate joint topics shared by at least k regions, ranked."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ..analysis import ranked_topics
from ..domain.model import RegionPriorities
from ..domain.topics import Topic
from ..repository import all_region_priorities


async def topics_of(
    session: AsyncSession, *, k: int, reporting_currency: str, rates: Mapping[str, Decimal]
) -> tuple[list[RegionPriorities], list[Topic]]:
    regions = await all_region_priorities(session)
    return regions, ranked_topics(regions, k=k, reporting_currency=reporting_currency, rates=rates)
