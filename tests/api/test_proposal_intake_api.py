"""proposal_intake through its HTTP API, its call copy fed by call.* events as the bus would."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.proposal_intake.models import (
    IdempotentSubmission,
    Proposal,
    ProposalVersion,
    RegionPartner,
    audit_log,
    messaging,
)
from shared.canonical import sha256_hex
from shared.clock import MovableClock
from shared.events import CallAmended, CallSnapshot, Envelope, make_envelope
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_published_envelope, partner, proposal_body, published_call

CONSORTIUM = bearer("consortium:acme")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    """Every test here runs on SQLite and on PostgreSQL: a submission is written differently on each
    (one statement per table, or one statement in all on PostgreSQL), with the same result."""
    return str(request.param)


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        await subscription.handler(envelope)


async def open_call(app: FastAPI, clock: MovableClock) -> CallSnapshot:
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    return call


Intake = tuple[httpx.AsyncClient, FastAPI, CallSnapshot]


@pytest.fixture
async def intake(service_client: ServiceClient, clock: MovableClock) -> Intake:
    """proposal_intake with the Alpine call open (its copy fed by call.published): (client, app, call)."""
    client, app = await service_client("proposal_intake")
    return client, app, await open_call(app, clock)


async def count(app: FastAPI, what: Any) -> int:
    async with app.state.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(what))).scalar_one())


async def events(app: FastAPI) -> list[str]:
    async with app.state.runtime.sessions() as session:
        return list(
            (await session.execute(select(messaging.outbox.c.event_type).order_by(messaging.outbox.c.id))).scalars()
        )


async def draft(
    client: httpx.AsyncClient,
    call: CallSnapshot,
    body: dict[str, Any] | None = None,
    token: dict[str, str] = CONSORTIUM,
) -> httpx.Response:
    return await client.post(f"/calls/{call.call_id}/proposals", json=body or proposal_body(), headers=token)


async def test_draft_submit_receipt_and_versions(intake: Intake, clock: MovableClock) -> None:
    client, app, call = intake
    created = await draft(client, call)
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert [p["key"] for p in proposal["draft"]["partners"]] == ["p1", "p2"]

    receipt = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert receipt.status_code == 201, receipt.text
    first = receipt.json()
    assert first["version"] == 1
    assert first["received_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert first["content_sha256"] == sha256_hex(proposal["draft"])
    assert any("financial viability" in warning for warning in first["warnings"])

    clock.advance(timedelta(hours=1))
    second = (await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)).json()
    assert second["version"] == 2
    versions = (await client.get(f"/proposals/{proposal['id']}/versions", headers=CONSORTIUM)).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["content_sha256"] == first["content_sha256"]
    assert await events(app) == ["proposal.submitted.v1", "proposal.submitted.v1"]


async def test_concurrent_edits_need_if_match(intake: Intake) -> None:
    client, _, call = intake
    created = await draft(client, call, {"acronym": "HALF"})
    url, tag = f"/proposals/{created.json()['id']}", created.headers["etag"]
    assert (await client.put(url, json=proposal_body(), headers=CONSORTIUM)).status_code == 428
    edited = await client.put(url, json=proposal_body(), headers={**CONSORTIUM, "If-Match": tag})
    assert edited.status_code == 200
    stale = await client.put(url, json={"acronym": "LOST"}, headers={**CONSORTIUM, "If-Match": tag})
    assert stale.status_code == 412
    assert (await client.get(url, headers=CONSORTIUM)).json()["draft"]["acronym"] == "ALPHA"


async def test_incomplete_draft_lists_every_gap_and_stores_nothing(intake: Intake) -> None:
    client, app, call = intake
    body = proposal_body()
    del body["abstract"]
    body["partners"][1]["contact"] = None
    body["partners"][1]["budget"] = {}
    proposal = (await draft(client, call, body)).json()

    check = (await client.get(f"/proposals/{proposal['id']}/precheck", headers=CONSORTIUM)).json()
    assert check["complete"] is False
    refused = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert {"abstract", "partners.1.contact", "partners.1.budget"} <= fields
    assert "consortium" in fields  # with no costs for Fribourg, Upper Austria holds 100% of the budget
    assert await count(app, ProposalVersion) == 0
    assert await events(app) == []


async def test_consortium_rules_are_hard_errors(intake: Intake) -> None:
    client, _, call = intake
    alone = proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"))
    proposal = (await draft(client, call, alone)).json()
    refused = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert refused.status_code == 422
    messages = " ".join(e["message"] for e in refused.json()["errors"])
    assert "consortium.min_partners" in messages and "consortium.min_participating_regions" in messages

    # The same after a pre-check (whose verdicts the submission then reuses): the same hard errors.
    assert (await client.get(f"/proposals/{proposal['id']}/precheck", headers=CONSORTIUM)).status_code == 200
    again = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert again.status_code == 422 and again.json()["errors"] == refused.json()["errors"]


async def test_regional_failures_are_warnings_and_the_precheck_names_the_numbers(intake: Intake) -> None:
    client, _, call = intake
    greedy = partner("Bayern Werk GmbH", "DE-BY", costs="100000.00", requested="62000.00")
    body = proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"), greedy)
    proposal = (await draft(client, call, body)).json()

    check = (await client.get(f"/proposals/{proposal['id']}/precheck", headers=CONSORTIUM)).json()
    bavaria = check["report"]["regions"]["DE-BY"]["partners"]["p2"]
    rate = next(v for v in bavaria if v["rule"] == "regional.funding_rate")
    assert rate["outcome"] == "fail"
    assert "62,000.00 EUR" in rate["reason"] and "50%" in rate["reason"] and "100,000.00 EUR" in rate["reason"]

    receipt = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert receipt.status_code == 201
    assert any("62,000.00 EUR" in warning for warning in receipt.json()["warnings"])


async def test_the_server_clock_decides_and_an_extension_reopens(intake: Intake, clock: MovableClock) -> None:
    client, app, call = intake
    proposal = (await draft(client, call)).json()
    clock.set(call.deadline)  # at the deadline is already too late
    late = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert late.status_code == 409
    assert late.json()["type"].endswith("/deadline-passed")
    assert await count(app, ProposalVersion) == 0

    assert call.configuration is not None
    extended_stage = call.configuration.stages[-1].model_copy(update={"deadline": call.deadline + timedelta(days=3)})
    extended = call.model_copy(
        update={
            "version": 2,
            "revision": 5,
            "deadline": extended_stage.deadline,
            "configuration": call.configuration.model_copy(update={"stages": [extended_stage]}),
        }
    )
    await deliver(
        app,
        make_envelope(
            CallAmended(call=extended, kind="deadline_extension", reason="outage"),
            source="call_definition",
            subject=str(call.call_id),
            clock=clock,
        ),
    )
    reopened = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert reopened.status_code == 201


async def test_retries_with_an_idempotency_key_get_the_same_receipt(intake: Intake) -> None:
    client, app, call = intake
    proposal = (await draft(client, call)).json()
    url = f"/proposals/{proposal['id']}/submit"
    key = {**CONSORTIUM, "Idempotency-Key": "submit-alpha-1"}
    first, again = (await client.post(url, headers=key)).json(), (await client.post(url, headers=key)).json()
    assert first == again
    assert await count(app, ProposalVersion) == 1
    assert await events(app) == ["proposal.submitted.v1"]
    other = (await draft(client, call)).json()
    reused = await client.post(f"/proposals/{other['id']}/submit", headers=key)
    assert reused.status_code == 409


async def test_a_key_reused_after_the_draft_changed_is_refused_not_answered_with_the_old_receipt(
    intake: Intake,
) -> None:
    """The IETF idempotency-key draft: the same key with another payload (here another draft) is a 422 saying so;
    the corrected draft is not silently left unsubmitted. The same key with the same draft is still the receipt."""
    client, app, call = intake
    created = await draft(client, call)
    url = f"/proposals/{created.json()['id']}"
    key = {**CONSORTIUM, "Idempotency-Key": "submit-once"}
    first = await client.post(f"{url}/submit", headers=key)
    assert first.status_code == 201, first.text
    again = await client.post(f"{url}/submit", headers=key)
    assert (again.status_code, again.json()) == (201, first.json())

    current = await client.get(url, headers=CONSORTIUM)
    body = proposal_body(acronym="CORRECTED")
    edited = await client.put(url, json=body, headers={**CONSORTIUM, "If-Match": current.headers["etag"]})
    assert edited.status_code == 200, edited.text
    reused = await client.post(f"{url}/submit", headers=key)
    assert reused.status_code == 422, reused.text
    problem = reused.json()
    assert problem["type"].endswith("/idempotency-key-reused")
    assert "submit-once" in problem["detail"] and "changed" in problem["detail"]
    assert await count(app, ProposalVersion) == 1
    fresh = await client.post(f"{url}/submit", headers={**CONSORTIUM, "Idempotency-Key": "submit-corrected"})
    assert (fresh.status_code, fresh.json()["version"]) == (201, 2)


async def test_a_key_replayed_after_withdrawal_is_a_conflict_not_a_receipt(intake: Intake) -> None:
    client, app, call = intake
    url = f"/proposals/{(await draft(client, call)).json()['id']}"
    key = {**CONSORTIUM, "Idempotency-Key": "before-withdrawal"}
    assert (await client.post(f"{url}/submit", headers=key)).status_code == 201
    withdrawn = await client.post(f"{url}/withdraw", json={"reason": "partner left"}, headers=CONSORTIUM)
    assert withdrawn.status_code == 200, withdrawn.text
    replay = await client.post(f"{url}/submit", headers=key)
    assert replay.status_code == 409, replay.text
    assert replay.json()["type"].endswith("/idempotency-key-after-withdrawal")
    assert await events(app) == ["proposal.submitted.v1", "proposal.withdrawn.v1"]


async def test_concurrent_submits_make_one_version_each_in_order(intake: Intake) -> None:
    client, app, call = intake
    proposal = (await draft(client, call)).json()
    url = f"/proposals/{proposal['id']}/submit"
    receipts = await asyncio.gather(*(client.post(url, headers=CONSORTIUM) for _ in range(4)))
    assert sorted(r.json()["version"] for r in receipts) == [1, 2, 3, 4]
    assert await count(app, ProposalVersion) == 4


async def test_concurrent_retries_with_one_key_make_one_version(intake: Intake) -> None:
    """The retries wait for the first submission's lock; once it commits, they find its key and its receipt."""
    client, app, call = intake
    proposal = (await draft(client, call)).json()
    url = f"/proposals/{proposal['id']}/submit"
    key = {**CONSORTIUM, "Idempotency-Key": "one-submission"}
    answers = await asyncio.gather(*(client.post(url, headers=key) for _ in range(4)))
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert await count(app, ProposalVersion) == 1
    assert await events(app) == ["proposal.submitted.v1"]


async def test_withdrawal_stops_everything(intake: Intake, clock: MovableClock) -> None:
    client, app, call = intake
    proposal = (await draft(client, call)).json()
    await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    clock.set(call.deadline + timedelta(days=1))  # withdrawing after the deadline is allowed
    withdrawn = await client.post(
        f"/proposals/{proposal['id']}/withdraw", json={"reason": "partner left"}, headers=CONSORTIUM
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert await events(app) == ["proposal.submitted.v1", "proposal.withdrawn.v1"]
    again = await client.post(f"/proposals/{proposal['id']}/withdraw", json={"reason": "twice"}, headers=CONSORTIUM)
    assert again.status_code == 409


async def test_who_sees_what(intake: Intake) -> None:
    client, _, call = intake
    mine = (await draft(client, call)).json()
    await client.post(f"/proposals/{mine['id']}/submit", headers=CONSORTIUM)
    other = bearer("consortium:someone-else")
    assert (await client.get(f"/proposals/{mine['id']}", headers=other)).status_code == 404
    assert (await client.post(f"/proposals/{mine['id']}/submit", headers=other)).status_code == 404
    assert (await client.get(f"/calls/{call.call_id}/proposals", headers=other)).json()["items"] == []
    agency = (await client.get(f"/calls/{call.call_id}/proposals", headers=bearer("agency"))).json()
    assert [p["id"] for p in agency["items"]] == [mine["id"]]
    assert (await draft(client, call, token=bearer("agency"))).status_code == 403

    fribourg = (await client.get(f"/calls/{call.call_id}/partners", headers=bearer("region:CH-FR"))).json()
    assert [p["partner"]["region_code"] for p in fribourg["items"]] == ["CH-FR"]
    assert (await client.get(f"/proposals/{mine['id']}", headers=bearer("region:CH-FR"))).status_code == 403


async def test_wrong_currency_and_bad_amounts_point_at_the_field(intake: Intake) -> None:
    client, _, call = intake
    body = proposal_body()
    body["partners"][1]["currency"] = "EUR"
    proposal = (await draft(client, call, body)).json()
    refused = await client.post(f"/proposals/{proposal['id']}/submit", headers=CONSORTIUM)
    assert [e["field"] for e in refused.json()["errors"]] == ["partners.1.currency"]

    body["partners"][0]["requested_funding"] = "1000.123"
    invalid = await draft(client, call, body)
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "partners.0.requested_funding"


async def test_unknown_call_is_404(service_client: ServiceClient) -> None:
    client, app = await service_client("proposal_intake")
    app.state.call_definition_transport = httpx.MockTransport(lambda request: httpx.Response(404))
    response = await client.post(
        "/calls/00000000-0000-0000-0000-000000000000/proposals", json=proposal_body(), headers=CONSORTIUM
    )
    assert response.status_code == 404


async def test_a_resubmission_leaves_exactly_what_its_version_says(intake: Intake, clock: MovableClock) -> None:
    client, app, call = intake
    created = await draft(client, call)
    proposal = created.json()
    url = f"/proposals/{proposal['id']}"
    first = await client.post(f"{url}/submit", headers={**CONSORTIUM, "Idempotency-Key": "first"})
    assert first.status_code == 201, first.text

    clock.advance(timedelta(hours=2))
    body = proposal_body(
        {**partner("Alpha GmbH", "AT-4", role="coordinator", requested="90000.00"), "key": "p1"},
        {**partner("Bayern Werk GmbH", "DE-BY"), "key": "p3"},
        acronym="BETA",
    )
    edited = await client.put(url, json=body, headers={**CONSORTIUM, "If-Match": created.headers["etag"]})
    assert edited.status_code == 200, edited.text
    second = await client.post(f"{url}/submit", headers={**CONSORTIUM, "Idempotency-Key": "second"})
    assert second.status_code == 201, second.text
    receipt = second.json()
    assert receipt["version"] == 2 and receipt["content_sha256"] == sha256_hex(edited.json()["draft"])

    async with app.state.runtime.sessions() as session:
        stored = (await session.execute(select(Proposal))).scalar_one()
        versions = (await session.execute(select(ProposalVersion).order_by(ProposalVersion.version))).scalars().all()
        keys = (await session.execute(select(IdempotentSubmission).order_by(IdempotentSubmission.key))).scalars().all()
        partners = (await session.execute(select(RegionPartner).order_by(RegionPartner.partner_key))).scalars().all()
        outbox = (await session.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all()
        audits = (await session.execute(select(audit_log).order_by(audit_log.c.id))).all()

    assert (stored.status, stored.current_version, stored.updated_at) == ("submitted", 2, clock.now())
    assert [(v.version, v.content_sha256, v.submitted_at) for v in versions] == [
        (1, first.json()["content_sha256"], clock.now() - timedelta(hours=2)),
        (2, receipt["content_sha256"], clock.now()),
    ]
    assert versions[1].content == edited.json()["draft"] and versions[1].warnings == receipt["warnings"]
    assert versions[1].submitted_by == "consortium:acme"
    assert [(k.key, k.version, k.proposal_id) for k in keys] == [("first", 1, stored.id), ("second", 2, stored.id)]
    # The partners by region are the second version's: p2 (Fribourg) is gone, p1 changed, p3 is new.
    new_partners = {p["key"]: p for p in edited.json()["draft"]["partners"]}
    assert [(p.partner_key, p.region_code, p.version, p.acronym, p.call_id) for p in partners] == [
        ("p1", "AT-4", 2, "BETA", str(call.call_id)),
        ("p3", "DE-BY", 2, "BETA", str(call.call_id)),
    ]
    assert all(p.partner == new_partners[p.partner_key] for p in partners)
    assert [row.event_type for row in outbox] == ["proposal.submitted.v1"] * 2
    event = json.loads(outbox[1].envelope)
    assert (event["subject"], event["data"]["version"], event["data"]["content_sha256"]) == (
        stored.id,
        2,
        receipt["content_sha256"],
    )
    assert [p["key"] for p in event["data"]["partners"]] == ["p1", "p3"]
    assert outbox[1].correlation_id == event["correlationid"] and outbox[1].attempts == 0
    assert outbox[1].published_at is None
    assert [(a.action, a.entity_id, a.actor, a.after, a.before) for a in audits] == [
        (
            "proposal.submitted",
            stored.id,
            "consortium:acme",
            {"version": 1, "sha256": first.json()["content_sha256"]},
            None,
        ),
        ("proposal.submitted", stored.id, "consortium:acme", {"version": 2, "sha256": receipt["content_sha256"]}, None),
    ]
    assert audits[1].correlation_id == event["correlationid"]
    fribourg = (await client.get(f"/calls/{call.call_id}/partners", headers=bearer("region:CH-FR"))).json()
    assert fribourg["items"] == []
    bavaria = (await client.get(f"/calls/{call.call_id}/partners", headers=bearer("region:DE-BY"))).json()
    assert [(p["partner"]["key"], p["version"], p["acronym"]) for p in bavaria["items"]] == [("p3", 2, "BETA")]


async def test_a_submission_reuses_the_verdicts_of_a_precheck_of_that_very_draft_under_that_very_call(
    intake: Intake, clock: MovableClock
) -> None:
    client, app, call = intake
    greedy = partner("Bayern Werk GmbH", "DE-BY", costs="100000.00", requested="62000.00")
    body = proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"), greedy)
    created = await draft(client, call, body)
    url = f"/proposals/{created.json()['id']}"

    async def precheck_and_mark_its_memo() -> None:
        """Pre-check, then mark what it kept, so that a receipt shows whether its warnings came from there."""
        assert (await client.get(f"{url}/precheck", headers=CONSORTIUM)).status_code == 200
        async with app.state.runtime.sessions() as session, session.begin():
            stored = (await session.execute(select(Proposal))).scalar_one()
            assert stored.verdicts is not None
            assert any("62,000.00 EUR" in warning for warning in stored.verdicts["warnings"])
            stored.verdicts = {**stored.verdicts, "warnings": ["as the pre-check found"]}

    def judged_now(receipt: httpx.Response) -> bool:
        assert receipt.status_code == 201, receipt.text
        return any("62,000.00 EUR" in warning for warning in receipt.json()["warnings"])

    await precheck_and_mark_its_memo()
    assert (await client.post(f"{url}/submit", headers=CONSORTIUM)).json()["warnings"] == ["as the pre-check found"]

    # The draft changed since its pre-check (whose marked memo is still there): judged again.
    edited = await client.put(url, json=body, headers={**CONSORTIUM, "If-Match": created.headers["etag"]})
    assert edited.status_code == 200, edited.text
    assert judged_now(await client.post(f"{url}/submit", headers=CONSORTIUM))

    # The call changed since (a new revision of the local copy): judged again.
    await precheck_and_mark_its_memo()
    corrected = call.model_copy(update={"revision": call.ordering_key + 1})
    amended = CallAmended(call=corrected, kind="text_correction", reason="typo")
    await deliver(app, make_envelope(amended, source="call_definition", subject=str(call.call_id), clock=clock))
    assert judged_now(await client.post(f"{url}/submit", headers=CONSORTIUM))
