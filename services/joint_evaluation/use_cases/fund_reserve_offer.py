"""The agency funds a reserve offer every region in it confirmed (reserve.funded): the projects are contracted
from there."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.events import ReserveFunded, ReserveGrant
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..domain.reserve import OfferStatus, can_move
from ..errors import ConfirmationsOutstanding, ReserveOfferNotProposed
from ..models import ReserveOffer, audit_log, call_audited
from ..repository import progress_for_update
from ..reserve import offer_for_update, regions_of


async def fund_reserve_offer(
    session: AsyncSession, runtime: Runtime, agency: Principal, call_id: str, offer_round: int
) -> ReserveOffer:
    await progress_for_update(session, call_id, runtime.clock.now())  # call-wide steps queue here
    offer = await offer_for_update(session, agency, call_id, offer_round)
    if not can_move(OfferStatus(offer.status), OfferStatus.FUNDED):
        raise ReserveOfferNotProposed(
            f"Reserve offer {offer_round} is {offer.status}: only a proposed offer can be funded.",
            extra={"offer_status": offer.status},
        )
    waiting = [r for r in regions_of(offer) if r not in offer.confirmations]
    if waiting:
        raise ConfirmationsOutstanding(
            f"Regions still to confirm the offer: {', '.join(waiting)}.", extra={"waiting_for": waiting}
        )
    now = runtime.clock.now()
    offer.status, offer.funded_at, offer.funded_by = OfferStatus.FUNDED, now, agency.label
    await session.flush()
    funded = ReserveFunded(
        call_id=uuid.UUID(call_id),
        offer_round=offer_round,
        funded_at=now,
        proposals=[ReserveGrant.model_validate(p) for p in offer.proposals],
    )
    await emit(session, runtime.tables, funded, source=runtime.name, subject=call_id, clock=runtime.clock)
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "reserve.funded",
        call_audited(call_id),
        before={"status": OfferStatus.PROPOSED},
        after={"status": OfferStatus.FUNDED, "offer_round": offer_round},
    )
    return offer
