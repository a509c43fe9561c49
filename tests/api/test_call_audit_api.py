"""`GET /calls/{call_id}/audit` of proposal_intake, regional_eligibility, joint_evaluation and project_monitoring:
the agency alone reads a call's trail as each service recorded it, newest first, filtered by actor and action in
SQL (case ignored, `%` and `_` taken literally), page by page, each entry's cursor resuming right after it; on
SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from shared.audit import record_audit
from shared.clock import MovableClock
from tests.api.test_joint_evaluation_api import register
from tests.api.test_project_monitoring_api import AGENCY, deliver, funded_project
from tests.api.test_proposal_intake_api import CONSORTIUM, draft, open_call
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_published_envelope, published_call

SERVICES = ["proposal_intake", "regional_eligibility", "joint_evaluation", "project_monitoring"]
# (actor, action, entity, entity_id) written in this order: the trail lists them newest first.
ROWS = [
    ("consortium:acme (alice)", "proposal.submitted", "proposal", "p-1"),
    ("region:AT-4 (bob)", "check.override", "check", "7"),
    ("agency (carol)", "call.ranked", "call", "-"),
    ("region:AT-4 (bob)", "check.confirm", "check", "8"),
    ("clock", "report.overdue", "report", "p-1:2"),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _seeded(service_client: ServiceClient, clock: MovableClock, service: str) -> tuple[Any, FastAPI, str]:
    """The service with a published call it knows, five audit rows of that call and one of another call."""
    client, app = await service_client(service)
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    audit_log = importlib.import_module(f"services.{service}.models").audit_log
    other_call = str(uuid.uuid4())
    async with app.state.runtime.sessions() as session, session.begin():
        for actor, action, entity, entity_id in ROWS:
            clock.advance(timedelta(seconds=1))
            await record_audit(
                session,
                audit_log,
                clock=clock,
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                call_id=str(call.call_id),
                reason=f"why {action}",
            )
        await record_audit(
            session,
            audit_log,
            clock=clock,
            actor="agency (carol)",
            action="call.ranked",
            entity="call",
            entity_id=other_call,
            call_id=other_call,
        )
    return client, app, str(call.call_id)


@pytest.mark.parametrize("service", SERVICES)
async def test_the_agency_reads_a_calls_trail_newest_first_and_only_that_calls(
    service_client: ServiceClient, clock: MovableClock, service: str
) -> None:
    client, _, call_id = await _seeded(service_client, clock, service)
    response = await client.get(f"/calls/{call_id}/audit", headers=AGENCY)
    assert response.status_code == 200, response.text
    page = response.json()
    assert [(e["actor"], e["action"]) for e in page["items"]] == [(a, b) for a, b, _, _ in reversed(ROWS)]
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert (first["entity"], first["entity_id"], first["reason"]) == ("report", "p-1:2", "why report.overdue")
    ats = [e["at"] for e in page["items"]]
    assert ats == sorted(ats, reverse=True)


FILTERS: list[tuple[dict[str, str], list[str]]] = [
    ({"actor": "AT-4"}, ["check.confirm", "check.override"]),
    ({"actor": "BOB", "action": "override"}, ["check.override"]),
    ({"action": "check."}, ["check.confirm", "check.override"]),
    ({"action": "CALL"}, ["call.ranked"]),
    ({"actor": "%"}, []),  # a wildcard is a character like any other
    ({"action": "check_"}, []),
]


@pytest.mark.parametrize("service", SERVICES)
async def test_the_trail_is_filtered_by_who_and_what(
    service_client: ServiceClient, clock: MovableClock, service: str
) -> None:
    client, _, call_id = await _seeded(service_client, clock, service)
    for query, expected in FILTERS:
        response = await client.get(f"/calls/{call_id}/audit", params=query, headers=AGENCY)
        assert response.status_code == 200, response.text
        assert [e["action"] for e in response.json()["items"]] == expected, query


@pytest.mark.parametrize("service", SERVICES)
async def test_the_trail_comes_page_by_page_and_resumes_after_any_entry(
    service_client: ServiceClient, clock: MovableClock, service: str
) -> None:
    client, _, call_id = await _seeded(service_client, clock, service)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"/calls/{call_id}/audit", params=params, headers=AGENCY)).json()
        assert len(page["items"]) <= 2
        seen += [e["action"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [action for _, action, _, _ in reversed(ROWS)]
    everything = (await client.get(f"/calls/{call_id}/audit", headers=AGENCY)).json()["items"]
    after_second = (
        await client.get(f"/calls/{call_id}/audit", params={"cursor": everything[1]["cursor"]}, headers=AGENCY)
    ).json()["items"]
    assert [e["id"] for e in after_second] == [e["id"] for e in everything[2:]]
    filtered = await client.get(
        f"/calls/{call_id}/audit", params={"actor": "bob", "limit": "1"}, headers=AGENCY
    )  # the filter holds across pages
    second = await client.get(
        f"/calls/{call_id}/audit",
        params={"actor": "bob", "limit": "1", "cursor": filtered.json()["next_cursor"]},
        headers=AGENCY,
    )
    assert [e["action"] for e in filtered.json()["items"] + second.json()["items"]] == [
        "check.confirm",
        "check.override",
    ]


@pytest.mark.parametrize("service", SERVICES)
async def test_only_the_agency_reads_the_trail(
    service_client: ServiceClient, clock: MovableClock, service: str
) -> None:
    client, _, call_id = await _seeded(service_client, clock, service)
    for role in ("region:AT-4", "consortium:acme", f"evaluator:{uuid.uuid4()}"):
        response = await client.get(f"/calls/{call_id}/audit", headers=bearer(role))
        assert response.status_code == 403, (role, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"/calls/{call_id}/audit")).status_code == 401


@pytest.mark.parametrize("service", SERVICES)
async def test_an_unknown_call_is_a_404_and_bad_queries_are_422_at_their_field(
    service_client: ServiceClient, clock: MovableClock, service: str
) -> None:
    client, _, call_id = await _seeded(service_client, clock, service)
    unknown = await client.get(f"/calls/{uuid.uuid4()}/audit", headers=AGENCY)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    for params, field in (
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"actor": "a\x00b"}, "actor"),
        ({"limit": "0"}, "limit"),
    ):
        response = await client.get(f"/calls/{call_id}/audit", params=params, headers=AGENCY)
        assert response.status_code == 422, (params, response.text)
        assert field in {str(e.get("field", "")).split(".")[-1] for e in response.json()["errors"]}


async def test_what_project_monitoring_records_on_its_own_is_on_the_calls_trail(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _, call, submitted = await funded_project(service_client, clock)
    response = await client.get(f"/calls/{call.call_id}/audit", headers=AGENCY)
    assert response.status_code == 200, response.text
    funded = [e for e in response.json()["items"] if e["action"] == "project.funded"]
    assert [(e["entity"], e["entity_id"], e["actor"]) for e in funded] == [
        ("project", str(submitted.proposal_id), "joint_evaluation")
    ]


async def test_a_submission_and_a_withdrawal_are_on_proposal_intakes_trail_of_the_call(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    other = await open_call(app, clock)  # another call's proposal stays off this call's trail
    created = (await draft(client, call)).json()
    assert (await client.post(f"/proposals/{created['id']}/submit", headers=CONSORTIUM)).status_code == 201
    elsewhere = (await draft(client, other)).json()
    assert (await client.post(f"/proposals/{elsewhere['id']}/submit", headers=CONSORTIUM)).status_code == 201
    withdrawn = await client.post(
        f"/proposals/{created['id']}/withdraw", json={"reason": "partner left"}, headers=CONSORTIUM
    )
    assert withdrawn.status_code == 200, withdrawn.text
    trail = (await client.get(f"/calls/{call.call_id}/audit", headers=AGENCY)).json()["items"]
    assert [(e["action"], e["entity_id"]) for e in trail] == [
        ("proposal.withdrawn", created["id"]),
        ("proposal.submitted", created["id"]),
    ]
    assert trail[0]["reason"] == "partner left" and trail[1]["actor"].startswith("consortium:acme")


async def test_an_evaluator_registered_for_the_call_is_on_joint_evaluations_trail(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    evaluator_id, _ = await register(client, call, "Institute A")
    trail = (await client.get(f"/calls/{call.call_id}/audit", headers=AGENCY)).json()["items"]
    assert [(e["action"], e["entity"], e["entity_id"]) for e in trail] == [
        ("evaluator.registered", "evaluator", evaluator_id)
    ]
