"""proposal_intake in a two-stage call: a lighter pre-proposal in stage 1, refusals with their own problem types
after it, invitations from the shortlist, and the full proposal bound to its pre-proposal under stage 2's rules."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.proposal_intake.models import messaging
from shared.clock import MovableClock
from shared.events import CallSnapshot, Envelope, InvitationOutcome, InvitationsPublished, make_envelope
from tests.api.test_proposal_intake_api import Intake
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_published_envelope, partner, proposal_body, two_stage_published_call

ACME = bearer("consortium:acme")
BETA = bearer("consortium:beta")
PROBLEMS = "https://jointcall.eu/problems/"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        if envelope.routing_key in subscription.routing_keys or any(
            key.endswith(".*") and envelope.routing_key.startswith(key[:-1]) for key in subscription.routing_keys
        ):
            await subscription.handler(envelope)


@pytest.fixture
async def two_stage(service_client: ServiceClient, clock: MovableClock) -> Intake:
    """proposal_intake with two_stage_published_call(clock) open: (client, app, call)."""
    client, app = await service_client("proposal_intake")
    call = two_stage_published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    return client, app, call


def pre_proposal_body(acronym: str = "ALPHA") -> dict[str, Any]:
    """A stage-1 form: no legal ids, contacts or budgets, only indicative requested funding."""
    body = proposal_body(acronym=acronym)
    for p in body["partners"]:
        del p["legal_id"], p["contact"]
        p["budget"] = {}
    return body


async def submitted_pre_proposal(
    client: httpx.AsyncClient, call: CallSnapshot, token: dict[str, str], acronym: str
) -> str:
    created = await client.post(f"/calls/{call.call_id}/proposals", json=pre_proposal_body(acronym), headers=token)
    assert created.status_code == 201, created.text
    proposal_id: str = created.json()["id"]
    receipt = await client.post(f"/proposals/{proposal_id}/submit", headers=token)
    assert receipt.status_code == 201, receipt.text
    return proposal_id


async def publish_invitations(
    app: FastAPI, call: CallSnapshot, clock: MovableClock, outcomes: list[InvitationOutcome]
) -> None:
    assert call.configuration is not None
    full = call.configuration.stages[1]
    event = InvitationsPublished(
        call_id=call.call_id,
        published_at=clock.now(),
        stage_two_opens=full.opens,
        stage_two_deadline=full.deadline,
        outcomes=outcomes,
    )
    envelope = make_envelope(event, source="joint_evaluation", subject=str(call.call_id), clock=clock)
    await deliver(app, envelope)


async def submitted_events(app: FastAPI) -> list[dict[str, Any]]:
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).scalars()
        envelopes = [
            Envelope.model_validate_json(row) if isinstance(row, str) else Envelope.model_validate(row) for row in rows
        ]
    return [e.data for e in envelopes if e.type == "proposal.submitted.v1"]


async def test_a_pre_proposal_needs_only_the_stage_1_form_and_says_it_is_stage_1(two_stage: Intake) -> None:
    client, app, call = two_stage
    proposal_id = await submitted_pre_proposal(client, call, ACME, "ALPHA")
    (announced,) = await submitted_events(app)
    assert (announced["proposal_id"], announced["stage"], announced["pre_proposal_id"]) == (proposal_id, 1, None)
    shown = (await client.get(f"/proposals/{proposal_id}", headers=ACME)).json()
    assert (shown["stage"], shown["pre_proposal_id"]) == (1, None)
    precheck = (await client.get(f"/proposals/{proposal_id}/precheck", headers=ACME)).json()
    assert precheck["complete"] is True and precheck["stage"] == {"stage": 1, "stage_two_rules": None}


async def test_the_stage_1_form_still_requires_what_it_names(two_stage: Intake) -> None:
    client, _, call = two_stage
    body = pre_proposal_body()
    del body["abstract"]  # the Alpine two-stage call requires the abstract in stage 1
    created = (await client.post(f"/calls/{call.call_id}/proposals", json=body, headers=ACME)).json()
    refused = await client.post(f"/proposals/{created['id']}/submit", headers=ACME)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"abstract"}


async def test_after_the_pre_proposal_deadline_stage_1_is_refused_with_its_own_problem_type(
    two_stage: Intake, clock: MovableClock
) -> None:
    client, app, call = two_stage
    created = (await client.post(f"/calls/{call.call_id}/proposals", json=pre_proposal_body(), headers=ACME)).json()
    clock.advance(timedelta(days=5))  # exactly the pre-proposal deadline: closed
    late = await client.post(f"/proposals/{created['id']}/submit", headers=ACME)
    assert late.status_code == 409
    assert late.json()["type"] == PROBLEMS + "stage-1-deadline-passed"
    assert "server_time" in late.json()
    new = await client.post(f"/calls/{call.call_id}/proposals", json=pre_proposal_body(), headers=ACME)
    assert new.status_code == 409 and new.json()["type"] == PROBLEMS + "stage-1-deadline-passed"
    assert await submitted_events(app) == []


async def test_a_consortium_not_invited_is_refused_in_stage_2_and_told_why(
    two_stage: Intake, clock: MovableClock
) -> None:
    client, app, call = two_stage
    beta = await submitted_pre_proposal(client, call, BETA, "BETA")
    clock.advance(timedelta(days=7))
    reasons = ["Region CH-FR's cap reached"]
    outcome = InvitationOutcome(
        pre_proposal_id=uuid.UUID(beta), applicant_id="beta", acronym="BETA", status="cap_reached", reasons=reasons
    )
    await publish_invitations(app, call, clock, [outcome])
    told = await client.get(f"/proposals/{beta}/invitation", headers=BETA)
    assert told.status_code == 200, told.text
    assert (told.json()["invited"], told.json()["status"], told.json()["reasons"]) == (False, "cap_reached", reasons)
    clock.advance(timedelta(days=4))  # stage 2 is open

    start = await client.post(f"/proposals/{beta}/full-proposal", headers=BETA)
    assert start.status_code == 403
    assert start.json()["type"] == PROBLEMS + "not-invited-to-stage-2"
    assert start.json()["reasons"] == reasons
    again = await client.post(f"/proposals/{beta}/submit", headers=BETA)  # its pre-proposal, now in stage 2
    assert again.status_code == 403 and again.json()["type"] == PROBLEMS + "not-invited-to-stage-2"
    assert len(await submitted_events(app)) == 1  # the pre-proposal only


async def test_an_invited_consortium_gets_its_full_proposal_pre_filled_and_bound_under_stage_2_rules(
    two_stage: Intake, clock: MovableClock
) -> None:
    client, app, call = two_stage
    alpha = await submitted_pre_proposal(client, call, ACME, "ALPHA")
    clock.advance(timedelta(days=7))
    outcome = InvitationOutcome(
        pre_proposal_id=uuid.UUID(alpha), applicant_id="acme", acronym="ALPHA", status="invited"
    )
    await publish_invitations(app, call, clock, [outcome])
    invitation = (await client.get(f"/proposals/{alpha}/invitation", headers=ACME)).json()
    assert invitation["invited"] is True and invitation["reasons"] == []
    assert invitation["stage_two_deadline"].startswith((clock.now() + timedelta(days=23)).date().isoformat())
    assert (await client.get(f"/proposals/{alpha}/invitation", headers=BETA)).status_code == 404  # not theirs

    started = await client.post(f"/proposals/{alpha}/full-proposal", headers=ACME)
    assert started.status_code == 201, started.text
    full = started.json()
    assert (full["stage"], full["pre_proposal_id"], full["status"]) == (2, alpha, "draft")
    pre_content = (await client.get(f"/proposals/{alpha}/versions", headers=ACME)).json()[-1]["content"]
    assert full["draft"] == pre_content  # pre-filled from the pre-proposal as submitted
    twice = await client.post(f"/proposals/{alpha}/full-proposal", headers=ACME)
    assert twice.status_code == 409 and twice.json()["type"] == PROBLEMS + "full-proposal-exists"
    assert (await client.get(f"/proposals/{full['id']}/invitation", headers=ACME)).json()["full_proposal_id"] == full[
        "id"
    ]

    early = await client.post(f"/proposals/{full['id']}/submit", headers=ACME)
    assert early.status_code == 409 and early.json()["type"] == PROBLEMS + "deadline-passed"  # stage 2 not open

    # Stage 2: a partner from a region not in the pre-proposal, and 25% more funding: both break the rules.
    body = proposal_body(acronym="ALPHA")
    body["partners"].append(partner("Beta Srl", "IT-25", requested="60000.00"))
    edited = await client.put(
        f"/proposals/{full['id']}", json=body, headers={**ACME, "If-Match": started.headers["ETag"]}
    )
    assert edited.status_code == 200, edited.text
    precheck = (await client.get(f"/proposals/{full['id']}/precheck", headers=ACME)).json()
    rules = precheck["stage"]["stage_two_rules"]
    assert rules["new_partners_only_from_regions"] == ["AT-4", "CH-FR"]
    assert rules["max_requested_funding"] == "248600.00"  # (100,000 EUR + 120,000 CHF x 1.05) x 1.1
    assert precheck["complete"] is False
    assert {p["field"] for p in precheck["stage_problems"]} == {"partners.2.region_code", "partners"}
    clock.advance(timedelta(days=4))
    refused = await client.post(f"/proposals/{full['id']}/submit", headers=ACME)
    assert refused.status_code == 422
    assert {"partners.2.region_code", "partners"} <= {e["field"] for e in refused.json()["errors"]}

    # Within the rules: a new Upper Austrian partner, exactly 10% more in all.
    body["partners"][2] = partner("Gamma KG", "AT-4", costs="50000.00", requested="22600.00")
    edited = await client.put(
        f"/proposals/{full['id']}", json=body, headers={**ACME, "If-Match": edited.headers["ETag"]}
    )
    receipt = await client.post(f"/proposals/{full['id']}/submit", headers=ACME)
    assert receipt.status_code == 201, receipt.text
    announced = (await submitted_events(app))[-1]
    assert (announced["proposal_id"], announced["stage"], announced["pre_proposal_id"]) == (full["id"], 2, alpha)


NARRATIVE = {"key": "narrative", "name": "Project narrative", "per": "proposal", "max_bytes": 10485760}


@pytest.mark.parametrize("stage_one_documents", [[], ["narrative"]])
async def test_a_pre_proposal_needs_only_the_documents_its_stage_1_form_names(
    service_client: ServiceClient, clock: MovableClock, stage_one_documents: list[str]
) -> None:
    client, app = await service_client("proposal_intake")
    stages = {"stage_one": {"required_documents": stage_one_documents}}
    call = two_stage_published_call(clock, documents=[NARRATIVE], two_stage=stages)
    await deliver(app, call_published_envelope(call, clock))

    created = await client.post(f"/calls/{call.call_id}/proposals", json=pre_proposal_body(), headers=ACME)
    assert created.status_code == 201, created.text
    proposal_id = created.json()["id"]
    precheck = (await client.get(f"/proposals/{proposal_id}/precheck", headers=ACME)).json()
    submitted = await client.post(f"/proposals/{proposal_id}/submit", headers=ACME)
    if stage_one_documents:  # the form names the narrative: a pre-proposal without it is refused
        assert "documents.narrative" in {gap["field"] for gap in precheck["missing"]}
        assert submitted.status_code == 422, submitted.text
        assert {e["field"] for e in submitted.json()["errors"]} == {"documents.narrative"}
    else:  # the narrative is for the full proposal
        assert "documents.narrative" not in {gap["field"] for gap in precheck["missing"]}
        assert submitted.status_code == 201, submitted.text
