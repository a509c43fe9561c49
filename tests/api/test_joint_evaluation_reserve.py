"""After the results: money given back (funds.released) is offered down the reserve list; the regions in the
offer confirm it and the agency funds it (reserve.funded).

The scenario of test_joint_evaluation_funding: ALPHA and GAMMA funded, BETA on the reserve list because CH-FR
had 80,000 CHF left of the 120,000 it asks.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.clock import MovableClock
from shared.events import FundsReleased, RegionAmount
from tests.api.test_joint_evaluation_api import AGENCY, deliver, emitted
from tests.api.test_joint_evaluation_funding import AUSTRIA, FRIBOURG, Scenario, answer, decide, evaluated
from tests.conftest import ServiceClient
from tests.helpers import bearer, envelope_of


async def published(service_client: ServiceClient, clock: MovableClock) -> Scenario:
    s = await evaluated(service_client, clock)
    await decide(s)
    for token, code in ((AUSTRIA, "AT-4"), (FRIBOURG, "CH-FR")):
        assert (await answer(s, token, code, decision="confirm", funding_version=1)).status_code == 200
    assert (await s.client.post(f"/calls/{s.call_id}/results/publish", headers=AGENCY)).status_code == 200
    return s


def released(s: Scenario, proposal: uuid.UUID, *amounts: tuple[str, str, str]) -> FundsReleased:
    return FundsReleased(
        call_id=uuid.UUID(s.call_id),
        proposal_id=proposal,
        released_at=datetime(2027, 9, 1, tzinfo=UTC),
        released=[RegionAmount(region_code=r, amount=a, currency=c) for r, a, c in amounts],
        project_cancelled=True,
        reason="project cancelled",
    )


async def test_a_cancelled_project_funds_the_next_reserve_proposal_once_regions_confirm_and_the_agency_funds(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await published(service_client, clock)
    alpha = s.alpha.proposal_id
    event = released(s, alpha, ("AT-4", "100000.00", "EUR"), ("CH-FR", "120000.00", "CHF"))
    await deliver(s.app, envelope_of(event, clock))
    [proposed] = await emitted(s.app, "reserve.proposed.v1")
    assert [p["acronym"] for p in proposed["proposals"]] == ["BETA"]
    budgets = {b["region_code"]: b["amount"] for b in proposed["budgets"]}
    assert (budgets["AT-4"], budgets["CH-FR"]) == ("150000.00", "200000.00")  # 50,000 + 100,000; 80,000 + 120,000

    offers = f"/calls/{s.call_id}/reserve-offers"
    early = await s.client.post(f"{offers}/1/funding", headers=AGENCY)
    assert early.status_code == 409 and early.json()["waiting_for"] == ["AT-4", "CH-FR"]
    mine = (await s.client.get(offers, headers=FRIBOURG)).json()
    assert [g["region_code"] for g in mine[0]["proposals"][0]["grants"]] == ["CH-FR"]  # only its own grants
    assert [b["region_code"] for b in mine[0]["budgets"]] == ["CH-FR"]
    for token in (AUSTRIA, FRIBOURG):
        assert (await s.client.post(f"{offers}/1/confirmations", headers=token)).status_code == 200
    assert (await s.client.post(f"{offers}/1/confirmations", headers=AUSTRIA)).status_code == 409
    funded = await s.client.post(f"{offers}/1/funding", headers=AGENCY)
    assert funded.status_code == 200 and funded.json()["status"] == "funded"
    [event_funded] = await emitted(s.app, "reserve.funded.v1")
    assert [p["acronym"] for p in event_funded["proposals"]] == ["BETA"]


async def test_money_that_funds_nothing_makes_an_empty_offer_and_nothing_is_funded_twice(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await published(service_client, clock)
    small = released(s, s.gamma.proposal_id, ("AT-4", "30000.00", "EUR"))
    await deliver(s.app, envelope_of(small, clock))
    [first] = await emitted(s.app, "reserve.proposed.v1")
    assert first["proposals"] == []  # BETA still lacks 40,000 CHF in CH-FR
    offers = (await s.client.get(f"/calls/{s.call_id}/reserve-offers", headers=AGENCY)).json()
    assert offers[0]["status"] == "nothing_fundable"
    assert (await s.client.post(f"/calls/{s.call_id}/reserve-offers/1/funding", headers=AGENCY)).status_code == 409
    assert (await s.client.get(f"/calls/{s.call_id}/reserve-offers", headers=FRIBOURG)).json() == []


async def test_a_region_cannot_confirm_an_offer_it_has_no_part_in(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await published(service_client, clock)
    event = released(s, s.alpha.proposal_id, ("AT-4", "100000.00", "EUR"), ("CH-FR", "120000.00", "CHF"))
    await deliver(s.app, envelope_of(event, clock))
    bavaria = bearer("region:DE-BY")
    response = await s.client.post(f"/calls/{s.call_id}/reserve-offers/1/confirmations", headers=bavaria)
    assert response.status_code == 404
    assert (await s.client.get(f"/calls/{s.call_id}/reserve-offers", headers=bavaria)).json() == []
