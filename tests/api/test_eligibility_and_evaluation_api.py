"""regional_eligibility and joint_evaluation through their HTTP APIs, fed with events."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import FastAPI
from sqlalchemy import select

from services.regional_eligibility.models import messaging
from shared.clock import MovableClock
from shared.events import (
    EligibilityDecided,
    Envelope,
    PartnerSnapshot,
    ProposalSubmitted,
    make_envelope,
)
from shared.money import Money
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_published_envelope, published_call

AGENCY = bearer("agency")


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        if any(key.split(".")[0] == envelope.routing_key.split(".")[0] for key in subscription.routing_keys):
            await subscription.handler(envelope)


def submitted(call_id: uuid.UUID, clock: MovableClock, *regions: str) -> ProposalSubmitted:
    proposal_id = uuid.uuid4()
    return ProposalSubmitted(
        proposal_id=proposal_id,
        call_id=call_id,
        version=1,
        applicant_id="acme",
        acronym="ACME",
        title="Acme",
        submitted_at=clock.now(),
        content_sha256="0" * 64,
        partners=[
            PartnerSnapshot(
                partner_id=f"{proposal_id}:{i}",
                organisation_name=f"Org {region}",
                region_code=region,
                requested_funding=Money(amount=Decimal("1000"), currency="EUR"),
            )
            for i, region in enumerate(regions)
        ],
    )


def envelope(data: ProposalSubmitted | EligibilityDecided, clock: MovableClock) -> Envelope:
    return make_envelope(data, source="test", subject=str(data.proposal_id), clock=clock)


async def test_each_partner_is_checked_and_the_outcome_emitted_once(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    event = envelope(submitted(call.call_id, clock, "AT-4", "IT-42"), clock)
    await deliver(app, event)
    await deliver(app, event)  # redelivered: applied once

    case = (await client.get(f"/proposals/{event.subject}", headers=AGENCY)).json()
    assert case["outcome"] == "not_eligible"
    assert len(case["checks"]) == 2
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.event_type))).scalars().all()
    assert rows == ["eligibility.decided.v1"]


async def test_a_region_sees_only_its_own_partners(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("regional_eligibility")
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    event = envelope(submitted(call.call_id, clock, "AT-4", "CH-FR"), clock)
    await deliver(app, event)

    austria = (await client.get(f"/proposals/{event.subject}", headers=bearer("region:AT-4"))).json()
    assert [c["region_code"] for c in austria["checks"]] == ["AT-4"]
    assert (await client.get(f"/proposals/{event.subject}", headers=bearer("region:DE-BY"))).status_code == 404
    feed = (await client.get("/checks", headers=bearer("region:CH-FR"))).json()
    assert [c["region_code"] for c in feed["items"]] == ["CH-FR"]
    assert (await client.get("/checks", headers=AGENCY)).status_code == 403
    assert (await client.get(f"/proposals/{event.subject}", headers=bearer("consortium:acme"))).status_code == 403


async def test_a_proposal_before_its_call_is_retried_not_lost(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    from shared.errors import RetryableError

    _, app = await service_client("regional_eligibility")
    call = published_call(clock)
    event = envelope(submitted(call.call_id, clock, "AT-4"), clock)
    try:
        await deliver(app, event)
        raise AssertionError("expected a retryable error")
    except RetryableError:
        pass
    await deliver(app, call_published_envelope(call, clock))
    await deliver(app, event)  # the retry now succeeds: the failed attempt left no inbox row


async def test_evaluation_records_eligibility_in_either_order(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = published_call(clock)
    proposal = submitted(call.call_id, clock, "AT-4")
    decided = EligibilityDecided(
        proposal_id=proposal.proposal_id,
        call_id=call.call_id,
        proposal_version=1,
        outcome="eligible",
        reasons=[],
        partners=[],
        decided_at=clock.now(),
    )
    await deliver(app, envelope(decided, clock))  # the decision overtook the submission
    await deliver(app, envelope(proposal, clock))

    entry = (await client.get(f"/proposals/{proposal.proposal_id}", headers=AGENCY)).json()
    assert entry["status"] == "awaiting_evaluation"
    assert entry["acronym"] == "ACME"
    listed = (await client.get(f"/calls/{call.call_id}/proposals", headers=AGENCY)).json()
    assert [e["proposal_id"] for e in listed["items"]] == [str(proposal.proposal_id)]
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=bearer("evaluator:e1"))).status_code == 403
