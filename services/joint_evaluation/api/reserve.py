"""Routes of the reserve list after the results: offers of money given back, confirmed by the regions and
funded by the agency. A region sees the offers it funds partners in, with its own grants only."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.http.exact_json import ExactJsonRoute
from shared.http.params import PathNumber
from shared.http.roles import Agency, AgencyOrRegion, Region
from shared.service import DbSession, RuntimeDep

from ..use_cases.confirm_reserve_offer import confirm_reserve_offer
from ..use_cases.fund_reserve_offer import fund_reserve_offer
from ..use_cases.list_reserve_offers import list_reserve_offers as reserve_offers_of
from .presenters import offer_out
from .schemas import ReserveOfferOut

router = APIRouter(tags=["ranking and funding"], route_class=ExactJsonRoute)
Reader = AgencyOrRegion


@router.get(
    "/calls/{call_id}/reserve-offers",
    response_model=list[ReserveOfferOut],
    summary="Offers of money given back after the results, down the reserve list",
)
async def list_reserve_offers(call_id: uuid.UUID, session: DbSession, reader: Reader) -> list[ReserveOfferOut]:
    return [offer_out(reader, o) for o in await reserve_offers_of(session, reader=reader, call_id=str(call_id))]


@router.post(
    "/calls/{call_id}/reserve-offers/{offer_round}/confirmations",
    response_model=ReserveOfferOut,
    summary="A region confirms its part of a reserve offer",
)
async def post_reserve_confirmation(
    call_id: uuid.UUID, offer_round: PathNumber, session: DbSession, runtime: RuntimeDep, region: Region
) -> ReserveOfferOut:
    return offer_out(region, await confirm_reserve_offer(session, runtime, region, str(call_id), offer_round))


@router.post(
    "/calls/{call_id}/reserve-offers/{offer_round}/funding",
    response_model=ReserveOfferOut,
    summary="The agency funds a reserve offer every region in it confirmed (the projects are contracted)",
)
async def post_reserve_funding(
    call_id: uuid.UUID, offer_round: PathNumber, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> ReserveOfferOut:
    return offer_out(agency, await fund_reserve_offer(session, runtime, agency, str(call_id), offer_round))
