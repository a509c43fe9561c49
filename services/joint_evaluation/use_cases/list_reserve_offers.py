"""The offers of money given back after the results, down the reserve list: the agency sees all of them, a region
those it funds partners in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal

from ..access import call_config
from ..models import ReserveOffer
from ..reserve import offers_of, visible_to


async def list_reserve_offers(session: AsyncSession, *, reader: Principal, call_id: str) -> list[ReserveOffer]:
    await call_config(session, call_id)
    return [offer for offer in await offers_of(session, call_id) if visible_to(reader, offer)]
