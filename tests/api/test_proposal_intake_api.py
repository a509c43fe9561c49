"""proposal_intake through its HTTP API, with its call copy fed by a call.published event."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from services.proposal_intake.models import ProposalVersion, messaging
from shared.canonical import sha256_hex
from shared.clock import MovableClock
from shared.events import CallSnapshot, Envelope
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_published_envelope, proposal_body, published_call

CONSORTIUM = bearer("consortium:acme")


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    """Hand an event to the service's consumer, exactly as the bus would."""
    runtime = app.state.runtime
    for subscription in app.state.definition.subscriptions(runtime):
        await subscription.handler(envelope)


async def open_call(app: FastAPI, clock: MovableClock) -> CallSnapshot:
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    return call


async def count(app: FastAPI, what: object) -> int:
    async with app.state.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(what))).scalar_one())  # type: ignore[arg-type]


async def test_submission_gets_a_receipt_and_emits_proposal_submitted(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    body = proposal_body()
    response = await client.post(f"/calls/{call.call_id}/proposals", json=body, headers=CONSORTIUM)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["version"] == 1
    assert receipt["received_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert receipt["content_sha256"] == sha256_hex(body)
    assert await count(app, messaging.outbox) == 1

    stored = (await client.get(f"/proposals/{receipt['proposal_id']}", headers=CONSORTIUM)).json()
    assert stored["content_sha256"] == receipt["content_sha256"]


async def test_after_the_deadline_refused_and_nothing_stored(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    clock.set(call.deadline)  # at the deadline is already too late
    response = await client.post(f"/calls/{call.call_id}/proposals", json=proposal_body(), headers=CONSORTIUM)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/deadline-passed")
    assert await count(app, ProposalVersion) == 0
    assert await count(app, messaging.outbox) == 0

    clock.set(call.deadline - timedelta(microseconds=1))
    ok = await client.post(f"/calls/{call.call_id}/proposals", json=proposal_body(), headers=CONSORTIUM)
    assert ok.status_code == 201


async def test_unknown_call_is_404(service_client: ServiceClient) -> None:
    client, _ = await service_client("proposal_intake")
    response = await client.post(
        "/calls/00000000-0000-0000-0000-000000000000/proposals", json=proposal_body(), headers=CONSORTIUM
    )
    assert response.status_code == 404


async def test_funding_in_the_wrong_currency_points_at_the_field(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    body = proposal_body(("Alpha", "AT-4", "1000", "EUR"), ("Fri", "CH-FR", "1000", "EUR"))
    response = await client.post(f"/calls/{call.call_id}/proposals", json=body, headers=CONSORTIUM)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "partners.1.requested_funding.currency"


async def test_negative_or_float_like_amounts_are_invalid(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    body = proposal_body(("Alpha", "AT-4", "1000.123", "EUR"))
    response = await client.post(f"/calls/{call.call_id}/proposals", json=body, headers=CONSORTIUM)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "partners.0.requested_funding.amount"


async def test_a_consortium_sees_only_its_own_proposals(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    mine = (await client.post(f"/calls/{call.call_id}/proposals", json=proposal_body(), headers=CONSORTIUM)).json()
    other = bearer("consortium:someone-else")
    assert (await client.get(f"/proposals/{mine['proposal_id']}", headers=other)).status_code == 404
    assert (await client.get(f"/calls/{call.call_id}/proposals", headers=other)).json()["items"] == []
    agency_view = (await client.get(f"/calls/{call.call_id}/proposals", headers=bearer("agency"))).json()
    assert [p["id"] for p in agency_view["items"]] == [mine["proposal_id"]]
    assert (
        await client.post(f"/calls/{call.call_id}/proposals", json=proposal_body(), headers=bearer("agency"))
    ).status_code == 403


async def test_an_older_call_version_never_overwrites_a_newer_one(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    newer = published_call(clock, version=2)
    older = newer.model_copy(update={"version": 1, "deadline": clock.now() - timedelta(days=1)})
    await deliver(app, call_published_envelope(newer, clock))
    await deliver(app, call_published_envelope(older, clock))
    response = await client.post(f"/calls/{newer.call_id}/proposals", json=proposal_body(), headers=CONSORTIUM)
    assert response.status_code == 201
