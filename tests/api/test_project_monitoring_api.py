"""project_monitoring through its HTTP API, fed with the events it consumes: contracting per partner, the
project starting or being cancelled, money going back, joint reports, payments held, the monitoring view, and
that a region never sees another region's partners' money."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.project_monitoring.models import audit_log, messaging
from shared.calls import Indicator, MonitoringConfig
from shared.clock import MovableClock
from shared.events import (
    CallSnapshot,
    Envelope,
    FundingTotals,
    ProposalSubmitted,
    RegionAmount,
    ResultLine,
    ResultsPublished,
)
from shared.money import Money
from tests.conftest import ServiceClient
from tests.helpers import (
    bearer,
    call_published_envelope,
    envelope_of,
    partner,
    proposal_body,
    published_call,
    submitted_event,
)

AGENCY, CONSORTIUM = bearer("agency"), bearer("consortium:acme")
AUSTRIA, FRIBOURG, BAVARIA, SALZBURG = (bearer(f"region:{c}") for c in ("AT-4", "CH-FR", "DE-BY", "AT-5"))


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        if envelope.routing_key in subscription.routing_keys or any(
            key.endswith("*") and envelope.routing_key.startswith(key[:-1]) for key in subscription.routing_keys
        ):
            await subscription.handler(envelope)


async def emitted(app: FastAPI, event_type: str) -> list[dict[str, Any]]:
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).scalars()
        return [e.data for e in (Envelope.model_validate_json(r) for r in rows) if e.type == event_type]


def three_regions() -> dict[str, Any]:
    return proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator"),
        partner("Universite de Fribourg", "CH-FR", currency="CHF", kind="university", requested="120000.00"),
        partner("Bavaria AG", "DE-BY", requested="80000.00"),
        acronym="ALPHA",
    )


async def funded_project(
    service_client: ServiceClient, clock: MovableClock, *, policy: str = "drop_partner"
) -> tuple[httpx.AsyncClient, FastAPI, CallSnapshot, ProposalSubmitted]:
    client, app = await service_client("project_monitoring")
    call = published_call(clock)
    assert call.configuration is not None
    monitoring = MonitoringConfig(
        signature_days=30,
        missing_partner_policy=policy,  # type: ignore[arg-type]
        report_every_months=6,
        reporting_periods=2,
        report_due_days=30,
        indicators=[
            Indicator(key="jobs", name="Jobs created", unit="jobs", per="partner", target_per_project=4),
            Indicator(key="patents", name="Patents filed", unit="patents", per="project", target_per_project=1),
        ],
    )
    call = call.model_copy(update={"configuration": call.configuration.model_copy(update={"monitoring": monitoring})})
    await deliver(app, call_published_envelope(call, clock))
    submitted = submitted_event(call, three_regions(), clock)
    await deliver(app, envelope_of(submitted, clock))
    grants = [("AT-4", "100000.00", "EUR"), ("CH-FR", "120000.00", "CHF"), ("DE-BY", "80000.00", "EUR")]
    results = ResultsPublished(
        call_id=call.call_id,
        published_at=clock.now(),
        funding_version=1,
        reporting_currency="EUR",
        results=[
            ResultLine(
                proposal_id=submitted.proposal_id,
                acronym="ALPHA",
                rank=1,
                status="funded",
                grants=[RegionAmount(region_code=r, amount=a, currency=c) for r, a, c in grants],
            )
        ],
        regions=[],
        totals=FundingTotals(
            budget=Money(amount=0, currency="EUR"),
            allocated=Money(amount=0, currency="EUR"),
            remaining=Money(amount=0, currency="EUR"),
            funding_gap=Money(amount=0, currency="EUR"),
        ),
    )
    await deliver(app, envelope_of(results, clock))
    await deliver(app, envelope_of(results, clock))  # a repeat changes nothing
    return client, app, call, submitted


def contract(client: httpx.AsyncClient, proposal: ProposalSubmitted, key: str, token: dict[str, str], **body: Any):  # type: ignore[no-untyped-def]
    return client.post(f"/projects/{proposal.proposal_id}/partners/{key}/contract", json=body, headers=token)


async def sign_all(client: httpx.AsyncClient, proposal: ProposalSubmitted) -> None:
    for key, token in (("p1", AUSTRIA), ("p2", FRIBOURG), ("p3", BAVARIA)):
        response = await contract(client, proposal, key, token, action="sign", reference=f"GA-{key}")
        assert response.status_code == 200, response.text


async def test_the_results_make_a_project_with_a_grant_per_region_and_an_offer_per_partner(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _app, call, proposal = await funded_project(service_client, clock)
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=AGENCY)).json()
    assert project["status"] == "contracting"
    assert [(g["region_code"], g["amount"]) for g in project["grants"]] == [
        ("AT-4", "100000.00"),
        ("CH-FR", "120000.00"),
        ("DE-BY", "80000.00"),
    ]
    assert [(p["partner_key"], p["status"]) for p in project["partners"]] == [
        ("p1", "offered"),
        ("p2", "offered"),
        ("p3", "offered"),
    ]
    listed = (await client.get(f"/calls/{call.call_id}/projects", headers=AGENCY)).json()
    assert [p["acronym"] for p in listed["items"]] == ["ALPHA"]


async def test_a_region_sees_only_its_own_partners_money_on_every_endpoint(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _app, call, proposal = await funded_project(service_client, clock)
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=FRIBOURG)).json()
    assert {g["region_code"]: g["amount"] for g in project["grants"]} == {
        "AT-4": None,
        "CH-FR": "120000.00",
        "DE-BY": None,
    }
    assert {p["region_code"]: p["amount"] for p in project["partners"]} == {
        "AT-4": None,
        "CH-FR": {"amount": "120000.00", "currency": "CHF"},
        "DE-BY": None,
    }
    # a region that funds nothing in it does not see the project at all
    assert (await client.get(f"/projects/{proposal.proposal_id}", headers=SALZBURG)).status_code == 404
    assert (await client.get(f"/calls/{call.call_id}/projects", headers=SALZBURG)).json()["items"] == []
    assert (await client.get(f"/projects/{proposal.proposal_id}/reports/1", headers=SALZBURG)).status_code == 404
    # nor may a region record another region's partner's contracting
    other = await contract(client, proposal, "p1", FRIBOURG, action="sign", reference="GA-1")
    assert other.status_code == 404
    # a consortium sees only its own projects
    stranger = bearer("consortium:someone-else")
    assert (await client.get(f"/projects/{proposal.proposal_id}", headers=stranger)).status_code == 404
    # the monitoring view: its own money only, and never another region's view
    view = (await client.get(f"/calls/{call.call_id}/monitoring", headers=FRIBOURG)).json()
    assert view["region"] == "CH-FR" and [m["currency"] for m in view["committed"]] == ["CHF"]
    assert (await client.get(f"/calls/{call.call_id}/monitoring?region=AT-4", headers=FRIBOURG)).status_code == 404
    await sign_all(client, proposal)
    report = {
        "narrative": "Pilot line running.",
        "statements": {
            "p1": {"currency": "EUR", "costs": {"personnel": "40000.00"}},
            "p2": {"currency": "CHF", "costs": {"personnel": "50000.00"}},
        },
    }
    assert (
        await client.put(f"/projects/{proposal.proposal_id}/reports/1", json=report, headers=CONSORTIUM)
    ).status_code == 200
    seen = (await client.get(f"/projects/{proposal.proposal_id}/reports/1", headers=FRIBOURG)).json()
    assert seen["narrative"] == "Pilot line running."
    assert [s["partner_key"] for s in seen["statements"]] == ["p2"]
    assert [
        s["partner_key"]
        for s in (await client.get(f"/projects/{proposal.proposal_id}/reports/1", headers=AGENCY)).json()["statements"]
    ] == ["p1", "p2"]
    review = await client.post(
        f"/projects/{proposal.proposal_id}/reports/1/reviews", json={"action": "accept"}, headers=FRIBOURG
    )
    assert [s["partner_key"] for s in review.json()["statements"]] == ["p2"]


async def test_every_region_signing_starts_the_project_and_schedules_its_reports(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, _call, proposal = await funded_project(service_client, clock)
    clock.advance(timedelta(days=12))
    await sign_all(client, proposal)
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=AGENCY)).json()
    assert project["status"] == "started" and project["started_at"] is not None
    assert [(r["period"], r["final"], r["status"]) for r in project["reports"]] == [(1, False, "due"), (2, True, "due")]
    signed = await emitted(app, "grant.signed.v1")
    assert [s["days_to_contract"] for s in signed] == [12, 12, 12]
    [started] = await emitted(app, "project.started.v1")
    assert len(started["partners"]) == 3
    again = await contract(client, proposal, "p1", AUSTRIA, action="decline", reason="changed our mind")
    assert again.status_code == 409  # the project started: its contracts are settled
    assert again.json()["type"].endswith("/contract-step-refused") and again.json()["allowed"] == []


async def test_a_partner_declining_goes_on_without_it_when_the_consortium_still_holds_and_gives_its_money_back(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, _call, proposal = await funded_project(service_client, clock)
    declined = await contract(client, proposal, "p2", FRIBOURG, action="decline", reason="state aid ceiling")
    assert declined.status_code == 200
    [released] = await emitted(app, "funds.released.v1")
    assert released["released"] == [{"region_code": "CH-FR", "amount": "120000.00", "currency": "CHF"}]
    assert released["project_cancelled"] is False
    for key, token in (("p1", AUSTRIA), ("p3", BAVARIA)):
        assert (await contract(client, proposal, key, token, action="sign", reference="GA")).status_code == 200
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=AGENCY)).json()
    assert project["status"] == "started"
    assert len(await emitted(app, "funds.released.v1")) == 1  # never twice


async def test_under_drop_partner_a_consortium_left_below_its_rules_is_cancelled_and_says_why(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, _call, proposal = await funded_project(service_client, clock)
    for key, token in (("p2", FRIBOURG), ("p3", BAVARIA)):
        declined = await contract(client, proposal, key, token, action="decline", reason="state aid ceiling")
        assert declined.status_code == 200
    assert (await contract(client, proposal, "p1", AUSTRIA, action="sign", reference="GA-1")).status_code == 200
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=AGENCY)).json()
    # one partner from one region is no longer a transregional consortium
    assert project["status"] == "cancelled"
    assert project["cancelled_reason"]
    released = {r["region_code"] for e in await emitted(app, "funds.released.v1") for r in e["released"]}
    assert released == {"AT-4", "CH-FR", "DE-BY"}


async def test_under_cancel_project_one_partner_lost_cancels_it_and_every_grant_goes_back(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, _call, proposal = await funded_project(service_client, clock, policy="cancel_project")
    assert (await contract(client, proposal, "p1", AUSTRIA, action="sign", reference="GA-1")).status_code == 200
    withdrawn = await contract(client, proposal, "p3", BAVARIA, action="withdraw", reason="insolvency")
    assert withdrawn.json()["status"] == "cancelled"
    [released] = await emitted(app, "funds.released.v1")
    assert {r["region_code"] for r in released["released"]} == {"AT-4", "CH-FR", "DE-BY"}
    assert released["project_cancelled"] is True


async def test_bad_contracting_input_names_the_field_and_changes_nothing(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, _call, proposal = await funded_project(service_client, clock)
    missing = await contract(client, proposal, "p1", AUSTRIA, action="sign")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reference"
    future = (clock.now() + timedelta(days=3)).date().isoformat()
    late = await contract(client, proposal, "p1", AUSTRIA, action="sign", reference="GA", signed_on=future)
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "signed_on"
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=AUSTRIA)).json()
    assert project["partners"][0]["status"] == "offered"
    assert await emitted(app, "grant.signed.v1") == []


async def test_the_clock_flags_an_offer_not_signed_in_time_once(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    from services.project_monitoring.use_cases.follow_clock import follow_clock_once

    client, app, _call, proposal = await funded_project(service_client, clock)
    runtime = app.state.runtime
    clock.advance(timedelta(days=31))
    async with runtime.sessions() as session, session.begin():
        assert await follow_clock_once(session, runtime) == 3
    async with runtime.sessions() as session, session.begin():
        assert await follow_clock_once(session, runtime) == 0
    assert {e["region_code"] for e in await emitted(app, "grant.overdue.v1")} == {"AT-4", "CH-FR", "DE-BY"}
    project = (await client.get(f"/projects/{proposal.proposal_id}", headers=AUSTRIA)).json()
    assert project["partners"][0]["overdue"] is True


async def test_a_late_report_holds_each_regions_next_payment_until_that_region_accepts(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    from services.project_monitoring.use_cases.follow_clock import follow_clock_once

    client, app, call, proposal = await funded_project(service_client, clock)
    await sign_all(client, proposal)
    runtime = app.state.runtime
    clock.advance(timedelta(days=6 * 31 + 31))  # period 1 ended and its 30 days passed
    async with runtime.sessions() as session, session.begin():
        assert await follow_clock_once(session, runtime) == 1
    [overdue] = await emitted(app, "report.overdue.v1")
    assert overdue["period"] == 1 and overdue["payments_held"] == ["AT-4", "CH-FR", "DE-BY"]
    grants = (await client.get(f"/projects/{proposal.proposal_id}", headers=AUSTRIA)).json()["grants"]
    assert [g["payment_held"] for g in grants] == [True, None, None]
    body = {
        "narrative": "Late, but here.",
        "document": {"document_id": "doc-1", "sha256": "a" * 64, "filename": "report-1.pdf"},
        "indicators": {"patents": "1"},
        "partner_indicators": {"p1": {"jobs": "2"}, "p3": {"jobs": "1"}},
        "statements": {"p1": {"currency": "EUR", "costs": {"personnel": "30000.00"}}},
    }
    put = await client.put(f"/projects/{proposal.proposal_id}/reports/1", json=body, headers=CONSORTIUM)
    assert put.status_code == 200, put.text
    for token in (AUSTRIA, FRIBOURG):
        review = await client.post(
            f"/projects/{proposal.proposal_id}/reports/1/reviews", json={"action": "accept"}, headers=token
        )
        assert review.status_code == 200
    grants = (await client.get(f"/projects/{proposal.proposal_id}", headers=AGENCY)).json()["grants"]
    assert [g["payment_held"] for g in grants] == [False, False, True]  # Bavaria has not accepted yet
    assert (
        await client.post(
            f"/projects/{proposal.proposal_id}/reports/1/reviews",
            json={"action": "request_changes", "comment": "costs of p3 missing"},
            headers=BAVARIA,
        )
    ).json()["status"] == "changes_requested"
    view = (await client.get(f"/calls/{call.call_id}/monitoring", headers=AGENCY)).json()
    assert view["projects"] == {"started": 1} and view["payments_held"] == 1
    assert view["reports"] == {"changes_requested": 1, "due": 1}
    async with runtime.sessions() as session:
        actions = list((await session.execute(select(audit_log.c.action))).scalars())
    assert "report.overdue" in actions and "report.changes_requested" in actions


async def test_a_report_with_figures_the_call_does_not_take_is_refused_whole(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _app, _call, proposal = await funded_project(service_client, clock)
    await sign_all(client, proposal)
    body = {
        "narrative": "n",
        "indicators": {"jobs": "3", "unicorns": "1"},
        "statements": {"p2": {"currency": "EUR", "costs": {"personnel": "1.00"}}},
    }
    response = await client.put(f"/projects/{proposal.proposal_id}/reports/1", json=body, headers=CONSORTIUM)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "indicators.jobs",
        "indicators.unicorns",
        "statements.p2.currency",
    }
    report = (await client.get(f"/projects/{proposal.proposal_id}/reports/1", headers=AGENCY)).json()
    assert report["status"] == "due" and report["submissions"] == 0
    assert (
        await client.put(f"/projects/{proposal.proposal_id}/reports/1", json=body, headers=AUSTRIA)
    ).status_code == 403
