"""regional_eligibility and joint_evaluation through their HTTP APIs, fed with events."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import FastAPI

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
from tests.helpers import bearer, published_call

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
