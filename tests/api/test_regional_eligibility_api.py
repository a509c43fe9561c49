"""regional_eligibility through its HTTP API, fed with call and proposal events."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.regional_eligibility.models import audit_log, messaging
from shared.clock import MovableClock
from shared.events import (
    CallAmended,
    CallSnapshot,
    EligibilityDecided,
    Envelope,
    ProposalSubmitted,
    make_envelope,
)
from shared.settings import DEV_JWT_SECRET
from shared.tokens import issue_token
from tests.conftest import ServiceClient
from tests.helpers import (
    bearer,
    call_published_envelope,
    envelope_of,
    partner,
    proposal_body,
    published_call,
    submitted_event,
    withdrawn_event,
)

AGENCY = bearer("agency")
AUSTRIA, FRIBOURG, BAVARIA = bearer("region:AT-4"), bearer("region:CH-FR"), bearer("region:DE-BY")


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        if any(key.split(".")[0] == envelope.routing_key.split(".")[0] for key in subscription.routing_keys):
            await subscription.handler(envelope)


async def decided_events(app: FastAPI) -> list[EligibilityDecided]:
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).scalars()
        return [EligibilityDecided.model_validate(Envelope.model_validate_json(r).data) for r in rows]


async def closed_call_with(
    app: FastAPI, clock: MovableClock, *bodies: dict[str, Any]
) -> tuple[CallSnapshot, list[ProposalSubmitted]]:
    """A call, proposals submitted before its deadline, then the deadline passes (call.closed)."""
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    submitted = [submitted_event(call, body, clock) for body in bodies or (proposal_body(),)]
    for event in submitted:
        await deliver(app, envelope_of(event, clock))
    clock.set(call.deadline + timedelta(minutes=1))
    await deliver(app, call_published_envelope(call.model_copy(update={"status": "closed", "revision": 3}), clock))
    return call, submitted


async def close_manual_items(client: httpx.AsyncClient, token: dict[str, str], verdict: str = "pass") -> None:
    page = (await client.get("/checks", params={"status": "open"}, headers=token)).json()
    for check in page["items"]:
        response = await client.post(
            f"/checks/{check['id']}/decision",
            json={"action": "close", "verdict": verdict, "reason": "checked the files"},
            headers=token,
        )
        assert response.status_code == 200, response.text


async def test_checks_open_at_the_deadline_and_the_outcome_follows_the_regions(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    early = submitted_event(call, proposal_body(), clock)
    await deliver(app, envelope_of(early, clock))
    case = (await client.get(f"/proposals/{early.proposal_id}", headers=AGENCY)).json()
    assert case["status"] == "awaiting_deadline" and case["checks"] == []

    clock.set(call.deadline + timedelta(minutes=1))
    await deliver(app, call_published_envelope(call.model_copy(update={"status": "closed", "revision": 3}), clock))
    case = (await client.get(f"/proposals/{early.proposal_id}", headers=AGENCY)).json()
    assert case["status"] == "checking" and case["outcome"] == "pending"

    await close_manual_items(client, AUSTRIA)
    assert await decided_events(app) == []  # Fribourg has not decided yet
    await close_manual_items(client, FRIBOURG)
    [decided] = await decided_events(app)
    assert decided.outcome == "eligible" and decided.decision_version == 1
    feed = (await client.get("/feed", headers=FRIBOURG)).json()
    assert [e["type"] for e in feed["items"]] == ["checks.opened", "outcome.decided"]


async def override_the_funding_rate(client: httpx.AsyncClient, reason: str) -> dict[str, Any]:
    """Both regions close their manual items; then Upper Austria overrides its passed funding-rate check (returned)
    to fail."""
    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)
    checks = (await client.get("/checks", params={"verdict": "pass"}, headers=AUSTRIA)).json()["items"]
    rate = next(c for c in checks if c["rule"] == "regional.funding_rate")
    overridden = await client.post(
        f"/checks/{rate['id']}/decision",
        json={"action": "override", "verdict": "fail", "reason": reason},
        headers=AUSTRIA,
    )
    assert overridden.status_code == 200
    return rate


async def test_a_correction_before_the_region_deadline_changes_the_outcome_one_after_is_refused(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call, _ = await closed_call_with(app, clock)
    rate = await override_the_funding_rate(client, "costs not eligible")
    first, second = await decided_events(app)
    assert (first.outcome, second.outcome, second.decision_version) == ("eligible", "not_eligible", 2)

    assert call.configuration is not None and call.configuration.eligibility_check_due is not None
    clock.set(call.configuration.eligibility_check_due)
    late = await client.post(
        f"/checks/{rate['id']}/decision",
        json={"action": "override", "verdict": "pass", "reason": "changed my mind"},
        headers=AUSTRIA,
    )
    assert late.status_code == 409
    assert len(await decided_events(app)) == 2


async def test_a_decision_reads_the_call_as_amended_since_the_decision_before(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """The app keeps the calls it has parsed (its CallCache), per stored version: a newer version is read at once."""
    client, app = await service_client("regional_eligibility")
    call, _ = await closed_call_with(app, clock)
    decision = {"action": "close", "verdict": "pass", "reason": "checked the files"}
    austrian = (await client.get("/checks", params={"status": "open"}, headers=AUSTRIA)).json()["items"][0]
    fribourg = (await client.get("/checks", params={"status": "open"}, headers=FRIBOURG)).json()["items"][0]
    assert (await client.post(f"/checks/{austrian['id']}/decision", json=decision, headers=AUSTRIA)).status_code == 200

    assert call.configuration is not None
    due_now = call.configuration.model_copy(update={"eligibility_check_due": clock.now()})
    amended = call.model_copy(update={"status": "closed", "revision": 4, "configuration": due_now})
    await deliver(app, call_published_envelope(amended, clock))
    late = await client.post(f"/checks/{fribourg['id']}/decision", json=decision, headers=FRIBOURG)
    assert late.status_code == 409 and "decisions are final" in late.json()["detail"]
    assert len(app.state.call_cache) == 2  # each version parsed once


async def test_a_region_never_sees_or_decides_another_regions_partners(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    _, [proposal] = await closed_call_with(app, clock)
    austrian = next(p for p in proposal.partners if p.region_code == "AT-4")
    own = (await client.get("/checks", headers=AUSTRIA)).json()["items"]
    assert own and {c["region_code"] for c in own} == {"AT-4"}
    assert (await client.get(f"/partners/{austrian.partner_id}", headers=AUSTRIA)).status_code == 200
    assert (await client.get(f"/partners/{austrian.partner_id}", headers=FRIBOURG)).status_code == 404
    decision = {"action": "confirm", "reason": "looks right"}
    assert (await client.post(f"/checks/{own[0]['id']}/decision", json=decision, headers=FRIBOURG)).status_code == 404
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=BAVARIA)).status_code == 404
    view = (await client.get(f"/proposals/{proposal.proposal_id}", headers=FRIBOURG)).json()
    assert {c["region_code"] for c in view["checks"]} == {"CH-FR"}
    agency_items = (await client.get("/checks", headers=AGENCY)).json()["items"]
    assert agency_items and {c["region_code"] for c in agency_items} == {"consortium"}
    assert (await client.post(f"/checks/{own[0]['id']}/decision", json=decision, headers=AGENCY)).status_code == 404
    assert (
        await client.get(f"/proposals/{proposal.proposal_id}", headers=bearer("consortium:acme"))
    ).status_code == 403


async def test_decisions_need_the_right_action_and_a_reason(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("regional_eligibility")
    await closed_call_with(app, clock)
    manual = (await client.get("/checks", params={"status": "open"}, headers=AUSTRIA)).json()["items"][0]
    confirm = await client.post(
        f"/checks/{manual['id']}/decision", json={"action": "confirm", "reason": "fine"}, headers=AUSTRIA
    )
    assert confirm.status_code == 422 and confirm.json()["errors"][0]["field"] == "action"
    no_reason = await client.post(
        f"/checks/{manual['id']}/decision", json={"action": "close", "verdict": "pass"}, headers=AUSTRIA
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"


async def test_withdrawn_proposals_drop_out(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("regional_eligibility")
    call, [proposal] = await closed_call_with(app, clock)
    withdrawn = withdrawn_event(proposal.proposal_id, call.call_id, clock)
    await deliver(app, envelope_of(withdrawn, clock))
    case = (await client.get(f"/proposals/{proposal.proposal_id}", headers=AGENCY)).json()
    assert case["status"] == "withdrawn" and case["checks"] == []
    assert (await client.get("/checks", params={"status": "open"}, headers=AUSTRIA)).json()["items"] == []
    feed = (await client.get("/feed", headers=AUSTRIA)).json()["items"]
    assert [e["type"] for e in feed] == ["checks.opened", "proposal.withdrawn"]
    await close_manual_items(client, FRIBOURG)
    assert await decided_events(app) == []


async def test_agency_overview_counts_done_pending_and_overdue(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    body = proposal_body()
    body["partners"].append(partner("Bayern GmbH", "DE-BY", costs="100000.00", requested="50000.00"))
    call, _ = await closed_call_with(app, clock, body, proposal_body(acronym="BETA"))
    await close_manual_items(client, AUSTRIA)
    rows = {r["region_code"]: r for r in (await client.get(f"/calls/{call.call_id}/overview", headers=AGENCY)).json()}
    assert rows["AT-4"]["pending"] == 0 and rows["AT-4"]["decided"] == rows["AT-4"]["checks"]
    assert rows["CH-FR"]["pending"] == 2 and rows["CH-FR"]["overdue"] == 0
    assert call.configuration is not None and call.configuration.eligibility_check_due is not None
    clock.set(call.configuration.eligibility_check_due + timedelta(days=1))
    rows = {r["region_code"]: r for r in (await client.get(f"/calls/{call.call_id}/overview", headers=AGENCY)).json()}
    assert rows["CH-FR"]["overdue"] == 2 and rows["DE-BY"]["overdue"] == 1


async def test_a_new_version_after_the_deadline_replaces_the_checks(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call, [first] = await closed_call_with(app, clock)
    newer = submitted_event(call, proposal_body(), clock, version=2, proposal_id=first.proposal_id)
    await deliver(app, envelope_of(newer, clock))  # submitted before the deadline, arriving late
    case = (await client.get(f"/proposals/{first.proposal_id}", headers=AGENCY)).json()
    assert case["version"] == 2 and {c["proposal_version"] for c in case["checks"]} == {2}
    older = submitted_event(call, proposal_body(), clock, version=1, proposal_id=first.proposal_id)
    await deliver(app, envelope_of(older, clock))
    assert (await client.get(f"/proposals/{first.proposal_id}", headers=AGENCY)).json()["version"] == 2


def with_self_funded_gbp_partner() -> dict[str, Any]:
    """The call fixes no GBP rate: the 70% budget-share rules cannot be judged automatically."""
    body = proposal_body()
    body["partners"].append(partner("London Ltd", "GB-LND", currency="GBP", costs="100000.00", requested="0.00"))
    return body


async def test_the_agency_decides_the_consortium_items_a_region_cannot(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call, [proposal] = await closed_call_with(app, clock, with_self_funded_gbp_partner())
    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)
    assert await decided_events(app) == []  # every region has decided; the consortium items are still open
    items = (await client.get("/checks", params={"status": "open"}, headers=AGENCY)).json()["items"]
    assert {(c["region_code"], c["rule"]) for c in items} == {
        ("consortium", "consortium.max_share_per_partner"),
        ("consortium", "consortium.max_share_per_region"),
    }
    decision = {"action": "close", "verdict": "pass", "reason": "shares checked at the day's ECB rate"}
    for region in (AUSTRIA, bearer("region:consortium")):
        refused = await client.post(f"/checks/{items[0]['id']}/decision", json=decision, headers=region)
        assert refused.status_code == 404

    await close_manual_items(client, AGENCY)
    [decided] = await decided_events(app)
    assert decided.outcome == "eligible" and decided.proposal_id == proposal.proposal_id
    view = (await client.get(f"/proposals/{proposal.proposal_id}", headers=AGENCY)).json()
    assert view["status"] == "decided"
    assert {c["decided_by"] for c in view["checks"] if c["region_code"] == "consortium" and c["decided_by"]} == {
        "agency"
    }
    async with app.state.runtime.sessions() as session:
        audited = (await session.execute(select(audit_log.c.actor, audit_log.c.action))).all()
    assert audited.count(("agency", "check.close")) == 2

    assert call.configuration is not None and call.configuration.eligibility_check_due is not None
    clock.set(call.configuration.eligibility_check_due)  # the same correction deadline as the regions'
    decision = {"action": "override", "verdict": "fail", "reason": "too late"}
    late = await client.post(f"/checks/{items[0]['id']}/decision", json=decision, headers=AGENCY)
    assert late.status_code == 409


def extended(call: CallSnapshot, by: timedelta) -> CallSnapshot:
    """The call as call.amended carries it after its deadline was extended by `by` (open again)."""
    assert call.configuration is not None
    stages = call.configuration.stages
    last = stages[-1].model_copy(update={"deadline": call.deadline + by})
    return call.model_copy(
        update={
            "version": 2,
            "revision": 4,
            "status": "open",
            "deadline": last.deadline,
            "configuration": call.configuration.model_copy(update={"stages": [*stages[:-1], last]}),
        }
    )


async def test_a_deadline_extension_leaves_nothing_decidable_until_the_final_version_is_checked(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call, [first] = await closed_call_with(app, clock)
    stale = (await client.get("/checks", params={"status": "open"}, headers=AUSTRIA)).json()["items"]
    reopened = extended(call, timedelta(days=7))
    amended = CallAmended(call=reopened, kind="deadline_extension", reason="portal outage")
    await deliver(app, make_envelope(amended, source="call_definition", subject=str(call.call_id), clock=clock))
    newer = submitted_event(reopened, proposal_body(), clock, version=2, proposal_id=first.proposal_id)
    await deliver(app, envelope_of(newer, clock))  # before the new deadline: not final yet

    case = (await client.get(f"/proposals/{first.proposal_id}", headers=AGENCY)).json()
    assert (case["status"], case["checks"]) == ("awaiting_deadline", [])
    decision = {"action": "close", "verdict": "pass", "reason": "checked the files"}
    refused = await client.post(f"/checks/{stale[0]['id']}/decision", json=decision, headers=AUSTRIA)
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    assert "deadline was extended" in refused.json()["detail"]
    assert refused.json()["proposal_status"] == "awaiting_deadline"
    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)
    assert await decided_events(app) == []

    clock.set(reopened.deadline + timedelta(minutes=1))
    closed = reopened.model_copy(update={"status": "closed", "revision": 5})
    await deliver(app, call_published_envelope(closed, clock))
    case = (await client.get(f"/proposals/{first.proposal_id}", headers=AGENCY)).json()
    assert case["status"] == "checking" and {c["proposal_version"] for c in case["checks"]} == {2}
    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)
    [decided] = await decided_events(app)
    assert (decided.outcome, decided.proposal_version) == ("eligible", 2)


async def test_a_check_shows_its_decision_history_to_its_own_region_only(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    await closed_call_with(app, clock)
    checks = (await client.get("/checks", params={"verdict": "pass"}, headers=AUSTRIA)).json()["items"]
    rate = next(c for c in checks if c["rule"] == "regional.funding_rate")
    untouched = (await client.get(f"/checks/{rate['id']}/history", headers=AUSTRIA)).json()
    assert untouched["check"]["id"] == rate["id"] and untouched["decisions"] == []

    officer = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'region:AT-4', subject='anna.berger')}"}
    for action, verdict, reason in (("override", "fail", "costs not eligible"), ("confirm", None, "on reflection")):
        body = {"action": action, "reason": reason, **({"verdict": verdict} if verdict else {})}
        decided = await client.post(f"/checks/{rate['id']}/decision", json=body, headers=officer)
        assert decided.status_code == 200, decided.text
    history = (await client.get(f"/checks/{rate['id']}/history", headers=AUSTRIA)).json()
    assert history["check"]["verdict"] == "pass" and history["check"]["decision_reason"] == "on reflection"
    first, second = history["decisions"]
    assert first["actor"] == "region:AT-4 (anna.berger)" and first["action"] == "check.override"
    assert first["before"]["verdict"] == "pass" and first["after"] == {"verdict": "fail"}
    assert first["reason"] == "costs not eligible" and first["at"] <= second["at"]
    assert (second["action"], second["after"], second["reason"]) == (
        "check.confirm",
        {"verdict": "pass"},
        "on reflection",
    )

    assert (await client.get(f"/checks/{rate['id']}/history", headers=FRIBOURG)).status_code == 404
    assert (await client.get(f"/checks/{rate['id']}/history", headers=AGENCY)).status_code == 404
    assert (await client.get("/checks/999999/history", headers=AUSTRIA)).status_code == 404
    consortium = (await client.get("/checks", headers=AGENCY)).json()["items"]
    assert consortium
    assert (await client.get(f"/checks/{consortium[0]['id']}/history", headers=AGENCY)).status_code == 200
    assert (await client.get(f"/checks/{consortium[0]['id']}/history", headers=AUSTRIA)).status_code == 404


async def test_a_consortium_reads_its_own_outcome_per_partner_with_the_rule_and_how_much_and_no_officers_note(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    owner, other = bearer("consortium:acme"), bearer("consortium:someone-else")
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    body = proposal_body()
    body["partners"].append(partner("Bayern Werk GmbH", "DE-BY", requested="62000.00", costs="100000.00"))
    proposal = submitted_event(call, body, clock)  # applicant "acme"
    await deliver(app, envelope_of(proposal, clock))
    url = f"/proposals/{proposal.proposal_id}/outcome"
    before = (await client.get(url, headers=owner)).json()
    assert before["status"] == "awaiting_deadline" and before["outcome"] == "pending"
    assert {p["status"] for p in before["partners"]} == {"awaiting_deadline"}

    clock.set(call.deadline + timedelta(minutes=1))
    await deliver(app, call_published_envelope(call.model_copy(update={"status": "closed", "revision": 3}), clock))
    checking = (await client.get(url, headers=owner)).json()
    austrian, fribourg, bavarian = checking["partners"]
    assert checking["status"] == "checking" and checking["outcome"] == "pending" and checking["reasons"] == []
    assert austrian["status"] == "checking" and austrian["verdict"] == "pending"
    assert [i["rule"] for i in austrian["pending"]] == ["regional.manual_check"]  # financial viability
    assert bavarian["status"] == "checking"  # its de minimis declaration is still with Bavaria's officers
    assert checking["consortium"]["status"] == "decided" and checking["consortium"]["verdict"] == "eligible"

    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)
    internal = "Internal: the credit agency's file on Bayern Werk GmbH is weak"
    for check in (await client.get("/checks", params={"status": "open"}, headers=BAVARIA)).json()["items"]:
        closed = await client.post(
            f"/checks/{check['id']}/decision",
            json={"action": "close", "verdict": "fail", "reason": internal},
            headers=BAVARIA,
        )
        assert closed.status_code == 200
    decided = await client.get(url, headers=owner)
    outcome = decided.json()
    assert outcome["status"] == "decided" and outcome["outcome"] == "not_eligible" and outcome["decided_at"]
    assert any("Bayern Werk GmbH" in reason for reason in outcome["reasons"])
    austrian, fribourg, bavarian = outcome["partners"]
    assert (austrian["verdict"], fribourg["verdict"], bavarian["verdict"]) == ("eligible", "eligible", "not_eligible")
    assert (austrian["region_code"], austrian["reasons"], austrian["pending"]) == ("AT-4", [], [])
    rate = next(r for r in bavarian["reasons"] if r["rule"] == "regional.funding_rate")
    assert rate["details"]["requested"] == "62000.00" and rate["details"]["limit"] == "50000.00"  # 12,000 too much
    assert rate["decided_by"] == "rules" and rate["overridden"] is False and rate["region_code"] == "DE-BY"
    manual = next(r for r in bavarian["reasons"] if r["rule"] == "regional.manual_check")
    assert manual["decided_by"] == "officers" and manual["overridden"] is False
    # Decided by the officer's last decision: the event's reasons carry the rule's numbers too.
    [event] = await decided_events(app)
    announced = next(d for d in event.reason_details if d.rule == "regional.funding_rate")
    assert (announced.details["requested"], announced.details["limit"]) == ("62000.00", "50000.00")
    # What the officer wrote, and who decided, stay with the region's audit trail.
    assert (
        internal not in decided.text and "region:DE-BY" not in decided.text and "checked the files" not in decided.text
    )

    assert (await client.get(url, headers=other)).status_code == 404  # as if it did not exist
    for token in (AUSTRIA, AGENCY, bearer("evaluator:e1")):
        assert (await client.get(url, headers=token)).status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (await client.get(f"/proposals/{uuid.uuid4()}/outcome", headers=owner)).status_code == 404


async def test_an_officers_override_tells_the_consortium_the_officers_decided_against_the_rules(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    _, [proposal] = await closed_call_with(app, clock)
    await override_the_funding_rate(client, "personnel costs include an ineligible salary")
    outcome = (await client.get(f"/proposals/{proposal.proposal_id}/outcome", headers=bearer("consortium:acme"))).json()
    austrian = outcome["partners"][0]
    assert outcome["outcome"] == "not_eligible" and austrian["verdict"] == "not_eligible"
    [reason] = austrian["reasons"]
    assert (reason["rule"], reason["decided_by"], reason["overridden"]) == ("regional.funding_rate", "officers", True)
