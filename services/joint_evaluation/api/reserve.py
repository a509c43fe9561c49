"""Routes of the reserve list after the results: offers of money given back, confirmed by the regions and
funded by the agency. A region sees the offers it funds partners in, with its own grants only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from shared.events import RegionAmount, ReserveGrant
from shared.http.auth import Principal, Role, require
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import PathNumber
from shared.service import DbSession, RuntimeDep

from ..models import ReserveOffer
from ..use_cases.access import call_config
from ..use_cases.reserve_offers import confirm_offer, fund_offer, offers_of, regions_of, visible_to

router = APIRouter(tags=["ranking and funding"], route_class=ExactJsonRoute)
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REGION))]
Region = Annotated[Principal, Depends(require(Role.REGION))]


class ReserveOfferOut(BaseModel):
    call_id: uuid.UUID
    offer_round: int
    status: str = Field(description="proposed, superseded, funded or nothing_fundable")
    proposals: list[ReserveGrant] = Field(description="A region sees only its own grants")
    budgets: list[RegionAmount] = Field(description="Available before the offer; a region sees its own")
    regions_to_confirm: list[str]
    confirmed_by: list[str]
    proposed_at: datetime
    funded_at: datetime | None


def offer_out(principal: Principal, offer: ReserveOffer) -> ReserveOfferOut:
    def mine(region_code: str) -> bool:
        return principal.role is Role.AGENCY or region_code == principal.scope

    proposals = [ReserveGrant.model_validate(p) for p in offer.proposals]
    return ReserveOfferOut(
        call_id=uuid.UUID(offer.call_id),
        offer_round=offer.offer_round,
        status=offer.status,
        proposals=[
            p.model_copy(update={"grants": [g for g in p.grants if mine(g.region_code)]})
            for p in proposals
            if any(mine(g.region_code) for g in p.grants)
        ],
        budgets=[RegionAmount.model_validate(b) for b in offer.budgets if mine(b["region_code"])],
        regions_to_confirm=[r for r in regions_of(offer) if r not in offer.confirmations],
        confirmed_by=sorted(offer.confirmations),
        proposed_at=offer.proposed_at,
        funded_at=offer.funded_at,
    )


@router.get(
    "/calls/{call_id}/reserve-offers",
    response_model=list[ReserveOfferOut],
    summary="Offers of money given back after the results, down the reserve list",
)
async def list_reserve_offers(call_id: uuid.UUID, session: DbSession, reader: Reader) -> list[ReserveOfferOut]:
    await call_config(session, str(call_id))
    return [offer_out(reader, o) for o in await offers_of(session, str(call_id)) if visible_to(reader, o)]


@router.post(
    "/calls/{call_id}/reserve-offers/{offer_round}/confirmations",
    response_model=ReserveOfferOut,
    summary="A region confirms its part of a reserve offer",
)
async def post_reserve_confirmation(
    call_id: uuid.UUID, offer_round: PathNumber, session: DbSession, runtime: RuntimeDep, region: Region
) -> ReserveOfferOut:
    return offer_out(region, await confirm_offer(session, runtime, region, str(call_id), offer_round))


@router.post(
    "/calls/{call_id}/reserve-offers/{offer_round}/funding",
    response_model=ReserveOfferOut,
    summary="The agency funds a reserve offer every region in it confirmed (the projects are contracted)",
)
async def post_reserve_funding(
    call_id: uuid.UUID, offer_round: PathNumber, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> ReserveOfferOut:
    return offer_out(agency, await fund_offer(session, runtime, agency, str(call_id), offer_round))
