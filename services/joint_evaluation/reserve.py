"""The reserve list's offers as stored: which regions fund partners in one, who may see it, a call's offers
and releases, and an offer to change."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal

from .models import FundsRelease, ReserveOffer


def regions_of(offer: ReserveOffer) -> list[str]:
    """The regions funding partners in the offer, in code order."""
    return sorted({g["region_code"] for p in offer.proposals for g in p["grants"] if Decimal(str(g["amount"])) > 0})


def visible_to(principal: Principal, offer: ReserveOffer) -> bool:
    return principal.scope is None or principal.scope in regions_of(offer)


async def offers_of(session: AsyncSession, call_id: str) -> list[ReserveOffer]:
    query = select(ReserveOffer).where(ReserveOffer.call_id == call_id).order_by(ReserveOffer.offer_round)
    return list((await session.execute(query)).scalars())


async def releases_of(session: AsyncSession, call_id: str) -> list[FundsRelease]:
    query = select(FundsRelease).where(FundsRelease.call_id == call_id).order_by(FundsRelease.released_at)
    return list((await session.execute(query)).scalars())


async def offer_for_update(session: AsyncSession, principal: Principal, call_id: str, offer_round: int) -> ReserveOffer:
    """The offer, locked for the change; 404 if it is not there or not the principal's to see."""
    offer = await session.get(ReserveOffer, (call_id, offer_round), with_for_update=True)
    if offer is None or not visible_to(principal, offer):
        raise NotFound(f"No reserve offer {offer_round} in call {call_id} for {principal.label}.")
    return offer
