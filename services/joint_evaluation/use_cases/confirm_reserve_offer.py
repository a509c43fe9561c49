"""A region confirms its part of a reserve offer (reserve.confirmed in the audit); the agency funds the offer once
every region in it has."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime

from ..domain.reserve import OfferStatus
from ..errors import ReserveOfferConfirmed, ReserveOfferNotProposed
from ..models import ReserveOffer, audit_log, call_audited
from ..reserve import offer_for_update


async def confirm_reserve_offer(
    session: AsyncSession, runtime: Runtime, region: Principal, call_id: str, offer_round: int
) -> ReserveOffer:
    offer = await offer_for_update(session, region, call_id, offer_round)
    region_code = region.scope or ""
    if offer.status != OfferStatus.PROPOSED:
        raise ReserveOfferNotProposed(
            f"Reserve offer {offer_round} is {offer.status}: it can no longer be confirmed.",
            extra={"offer_status": offer.status},
        )
    if region_code in offer.confirmations:
        raise ReserveOfferConfirmed(f"{region.label} has already confirmed reserve offer {offer_round}.")
    offer.confirmations = {
        **offer.confirmations,
        region_code: {"by": region.label, "at": runtime.clock.now().isoformat()},
    }
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, region.actor).record(
        "reserve.confirmed", call_audited(call_id), after={"offer_round": offer_round, "region": region_code}
    )
    return offer
