"""What project_monitoring finds late reaches the regions concerned on their feeds (and so their webhooks): a
partner's unsigned offer its own region only, a late report's held payment each region it holds; a region with
no partner in the project hears nothing, and a redelivered event is told once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from shared.clock import MovableClock
from shared.events import GrantOverdue, ReportOverdue
from shared.money import Money
from tests.api.test_regional_eligibility_api import AUSTRIA, BAVARIA, FRIBOURG, closed_call_with, deliver
from tests.conftest import ServiceClient
from tests.helpers import envelope_of

NOTICES = ("grant.overdue", "payment.held")


async def test_overdue_offers_and_held_payments_reach_only_the_regions_concerned(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call, [proposal] = await closed_call_with(app, clock)
    austrian = next(p for p in proposal.partners if p.region_code == "AT-4")
    offer_late = GrantOverdue(
        call_id=call.call_id,
        proposal_id=proposal.proposal_id,
        partner_id=austrian.partner_id,
        region_code="AT-4",
        amount=Money(amount=Decimal("100000.00"), currency="EUR"),
        status="offered",
        at=clock.now(),
        due_at=clock.now() - timedelta(days=1),
    )
    report_late = ReportOverdue(
        call_id=call.call_id,
        proposal_id=proposal.proposal_id,
        period=1,
        due_at=clock.now() - timedelta(hours=2),
        payments_held=["AT-4", "CH-FR"],
    )
    once = envelope_of(offer_late, clock)
    for envelope in (once, once, envelope_of(report_late, clock)):  # the first one redelivered
        await deliver(app, envelope)

    async def notices(token: dict[str, str]) -> list[tuple[str, dict[str, object]]]:
        feed = (await client.get("/feed", headers=token)).json()["items"]
        return [(e["type"], e["data"]) for e in feed if e["type"] in NOTICES]

    austria = await notices(AUSTRIA)
    assert [kind for kind, _ in austria] == ["grant.overdue", "payment.held"]
    offer, held = austria[0][1], austria[1][1]
    assert (offer["partner_id"], offer["acronym"], offer["amount"]) == (
        austrian.partner_id,
        proposal.acronym,
        {"amount": "100000.00", "currency": "EUR"},
    )
    assert (held["period"], held["next_payment_held"], held["region"]) == (1, True, "AT-4")
    assert [kind for kind, _ in await notices(FRIBOURG)] == ["payment.held"]  # not Austria's partner's offer
    assert await notices(BAVARIA) == []
