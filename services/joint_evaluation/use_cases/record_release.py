"""Money given back after the results (funds.released) is offered down the reserve list (``domain.reserve``).

Each release walks the reserve list again from the regions' available budgets and stores the walk as the next
offer (reserve.proposed), superseding an offer not yet funded. As for the first decisions, every region funding
partners in the offer confirms it (confirm_reserve_offer.py), then the agency funds it (fund_reserve_offer.py):
the projects are contracted from there.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.errors import RetryableError
from shared.events import FundsReleased, RegionAmount, ReserveGrant, ReserveProposed
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..domain.allocation import FundingRequest, FundingStatus
from ..domain.reserve import OfferStatus, available_budgets, can_move, walk_reserve
from ..funding import latest_decisions
from ..models import FundsRelease, ReserveOffer, audit_log, call_audited
from ..repository import get_progress, progress_for_update
from ..reserve import offers_of, releases_of


async def record_release(session: AsyncSession, runtime: Runtime, event_id: str, event: FundsReleased) -> None:
    call_id = str(event.call_id)
    if await get_progress(session, call_id) is None:
        raise RetryableError(f"call {call_id} has no funding decisions here yet")
    progress = await progress_for_update(session, call_id, runtime.clock.now())
    if progress.published_at is None:
        raise RetryableError(f"the results of call {call_id} are not published yet")
    session.add(
        FundsRelease(
            event_id=event_id,
            call_id=call_id,
            proposal_id=str(event.proposal_id),
            released=[amount.model_dump(mode="json") for amount in event.released],
            project_cancelled=event.project_cancelled,
            reason=event.reason,
            released_at=event.released_at,
        )
    )
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, "project_monitoring").record(
        "funds.released",
        Audited("proposal", str(event.proposal_id), call_id),
        after={a.region_code: f"{a.amount} {a.currency}" for a in event.released},
        reason=event.reason,
    )
    await _offer_reserve(session, runtime, call_id, actor="project_monitoring")


async def _offer_reserve(session: AsyncSession, runtime: Runtime, call_id: str, *, actor: str) -> ReserveOffer:
    """Walk the reserve list with what is available now; store and announce the offer."""
    progress = await progress_for_update(session, call_id, runtime.clock.now())
    decided = await latest_decisions(session, progress)
    assert decided is not None  # published results have decisions
    offers = await offers_of(session, call_id)
    funded_offers = [o for o in offers if o.status == OfferStatus.FUNDED]
    currencies = {region.region_code: region.budget.currency for region in decided.regions}
    budgets = available_budgets(
        {region.region_code: region.remaining.amount for region in decided.regions},
        [_amounts(release.released) for release in await releases_of(session, call_id)],
        [_amounts(grant) for offer in funded_offers for p in offer.proposals for grant in [p["grants"]]],
    )
    reserve = [d for d in decided.proposals if d.status == FundingStatus.RESERVE.value]
    already = {str(d.proposal_id) for d in decided.proposals if d.status == FundingStatus.FUNDED.value}
    already |= {p["proposal_id"] for offer in funded_offers for p in offer.proposals}
    walk = walk_reserve(
        [FundingRequest(str(d.proposal_id), {a.region_code: a.amount for a in d.requested}) for d in reserve],
        budgets,
        already,
    )
    chosen = set(walk.funded)
    proposals = [
        ReserveGrant(proposal_id=d.proposal_id, acronym=d.acronym, rank=d.rank, grants=d.requested)
        for d in reserve
        if str(d.proposal_id) in chosen
    ]
    now = runtime.clock.now()
    for offer in offers:
        if can_move(OfferStatus(offer.status), OfferStatus.SUPERSEDED):
            offer.status = OfferStatus.SUPERSEDED
    offer = ReserveOffer(
        call_id=call_id,
        offer_round=max((o.offer_round for o in offers), default=0) + 1,
        status=OfferStatus.PROPOSED if proposals else OfferStatus.NOTHING_FUNDABLE,
        proposals=[p.model_dump(mode="json") for p in proposals],
        budgets=[_money(r, a, currencies) for r, a in sorted(budgets.items())],
        confirmations={},
        proposed_at=now,
    )
    session.add(offer)
    await session.flush()
    proposed = ReserveProposed(
        call_id=uuid.UUID(call_id),
        offer_round=offer.offer_round,
        proposed_at=now,
        proposals=proposals,
        budgets=[RegionAmount.model_validate(b) for b in offer.budgets],
    )
    await emit(session, runtime.tables, proposed, source=runtime.name, subject=call_id, clock=runtime.clock)
    await AuditTrail(session, audit_log, runtime.clock, actor).record(
        "reserve.proposed",
        call_audited(call_id),
        after={"offer_round": offer.offer_round, "status": offer.status, "proposals": list(walk.funded)},
    )
    return offer


def _amounts(lines: list[dict[str, object]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        region = str(line["region_code"])
        totals[region] = totals.get(region, Decimal(0)) + Decimal(str(line["amount"]))
    return totals


def _money(region: str, amount: Decimal, currencies: dict[str, str]) -> dict[str, str]:
    return {"region_code": region, "amount": str(amount.quantize(Decimal("0.01"))), "currency": currencies[region]}
