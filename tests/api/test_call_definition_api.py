"""call_definition through its HTTP API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from services.call_definition.models import messaging
from shared.clock import MovableClock
from tests.conftest import ServiceClient
from tests.helpers import NOW, bearer, call_body

AGENCY = bearer("agency")


async def test_agency_creates_and_publishes_a_call_which_emits_call_published(service_client: ServiceClient) -> None:
    client, app = await service_client("call_definition")
    created = await client.post("/calls", json=call_body(), headers=AGENCY)
    assert created.status_code == 201, created.text
    call = created.json()
    assert call["status"] == "draft"

    published = await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    assert published.status_code == 200
    assert published.json()["status"] == "open"  # the clock is past the opening

    async with app.state.runtime.sessions() as session:
        [envelope] = (await session.execute(select(messaging.outbox.c.envelope))).scalars()
    assert '"type":"call.published.v1"' in envelope
    assert call["id"] in envelope


async def test_publishing_twice_is_a_conflict(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    call = (await client.post("/calls", json=call_body(), headers=AGENCY)).json()
    await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    again = await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"].endswith("/call-not-draft") and again.json()["call_status"] != "draft"


async def test_invalid_call_lists_every_error_with_its_field_and_stores_nothing(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body = call_body()
    body["stages"][0]["deadline"] = "2027-01-01T00:00:00+00:00"
    body["regions"].append(dict(body["regions"][0]))
    body["evaluation"]["tie_break"] = ["elegance"]
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} == {
        "stages.0.deadline",
        f"regions.{len(body['regions']) - 1}.code",
        "evaluation.tie_break.0",
    }
    assert (await client.get("/calls/all", headers=AGENCY)).json()["items"] == []


async def test_field_errors_and_cross_field_errors_come_in_one_answer(service_client: ServiceClient) -> None:
    """A wrong value in one part does not hide what is wrong between the parts that are valid."""
    client, _ = await service_client("call_definition")
    body = call_body()
    body["regions"][1]["currency"] = "euro"  # a field error: the regions are not judged further
    body["stages"][0]["deadline"] = "2027-01-01T00:00:00+00:00"  # before the stage opens
    body["evaluation"]["tie_break"] = ["elegance"]  # not a criterion
    created = await client.post("/calls", json=body, headers=AGENCY)
    assert created.status_code == 422
    expected = {"regions.1.currency", "stages.0.deadline", "evaluation.tie_break.0"}
    assert {e["field"] for e in created.json()["errors"]} == expected
    assert (await client.get("/calls/all", headers=AGENCY)).json()["items"] == []

    draft = await client.post("/calls", json=call_body("ALP-DRAFT"), headers=AGENCY)
    replaced = await client.put(
        f"/calls/{draft.json()['id']}", json=body, headers={**AGENCY, "If-Match": draft.headers["etag"]}
    )
    assert replaced.status_code == 422
    assert {e["field"] for e in replaced.json()["errors"]} == expected
    assert (await client.get(f"/calls/{draft.json()['id']}", headers=AGENCY)).json()["code"] == "ALP-DRAFT"


async def test_field_errors_point_at_the_field(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body: dict[str, Any] = call_body()
    body["regions"][1]["currency"] = "euro"
    body["regions"][2]["funding_rates"]["sme"] = 1.5
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {"regions.1.currency", "regions.2.funding_rates.sme"}
    assert errors["regions.1.currency"]["pointer"] == "#/regions/1/currency"


async def test_naive_instants_are_refused(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body = call_body()
    body["stages"][0]["deadline"] = "2027-05-01T17:00:00"
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stages.0.deadline"


async def test_public_list_shows_published_calls_without_a_token_but_not_drafts(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    draft = (await client.post("/calls", json=call_body("DRAFT-1"), headers=AGENCY)).json()
    public = (await client.post("/calls", json=call_body("PUB-1"), headers=AGENCY)).json()
    await client.post(f"/calls/{public['id']}/publish", headers=AGENCY)

    listed = (await client.get("/calls")).json()["items"]
    assert [c["code"] for c in listed] == ["PUB-1"]
    assert (await client.get(f"/calls/{draft['id']}")).status_code == 404
    assert (await client.get(f"/calls/{draft['id']}", headers=AGENCY)).status_code == 200
    assert (await client.get(f"/calls/{public['id']}")).status_code == 200


async def test_deadline_is_stored_as_the_same_instant(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body = call_body()
    body["stages"][0]["deadline"] = "2027-04-15T17:00:00+02:00"
    call = (await client.post("/calls", json=body, headers=AGENCY)).json()
    read = (await client.get(f"/calls/{call['id']}", headers=AGENCY)).json()
    assert read["deadline"] == "2027-04-15T15:00:00Z"
    assert read["deadline_local"] == "2027-04-15T17:00:00+02:00"  # Europe/Zurich, summer time
    assert read["configuration"]["stages"][0]["deadline"] == "2027-04-15T17:00:00+02:00"  # as the agency wrote it


async def test_roles_no_token_401_wrong_role_403(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    assert (await client.post("/calls", json=call_body())).status_code == 401
    wrong = await client.post("/calls", json=call_body(), headers=bearer("region:AT-4"))
    assert wrong.status_code == 403 and wrong.json()["type"].endswith("/role-not-allowed")
    assert wrong.json()["allowed_roles"] == ["agency"]
    bad = await client.post("/calls", json=call_body(), headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"].startswith("Bearer")


async def test_duplicate_code_is_a_conflict(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    assert (await client.post("/calls", json=call_body("SAME"), headers=AGENCY)).status_code == 201
    assert (await client.post("/calls", json=call_body("SAME"), headers=AGENCY)).status_code == 409


async def test_health_and_readiness_need_no_token(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


async def test_an_api_stays_ready_while_the_broker_is_down(tmp_path: Path, clock: MovableClock) -> None:
    """Its requests need only the database (events wait in the outbox): the broker is reported, not required."""
    from services.registry import SERVICES
    from shared.service import build_app
    from tests.helpers import migrate_in_thread

    definition = SERVICES["call_definition"]
    settings = definition.settings_class(data_dir=tmp_path, rabbitmq_url="amqp://guest:guest@127.0.0.1:1/%2F")
    await migrate_in_thread(definition, settings.database_url)
    app = build_app(definition, settings, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["broker"].startswith("unreachable")


async def test_correlation_id_is_echoed_and_put_on_problems(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    response = await client.post("/calls", json={}, headers={**AGENCY, "X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["correlation_id"] == "trace-42"


async def published(client: Any, code: str = "ALP-TEST") -> dict[str, Any]:
    call = (await client.post("/calls", json=call_body(code), headers=AGENCY)).json()
    response = await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_draft_is_edited_with_if_match_and_stale_writes_get_412(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    created = await client.post("/calls", json=call_body(), headers=AGENCY)
    call, tag = created.json(), created.headers["etag"]
    body = call_body(title="Alpine test call, reworded")
    edited = await client.put(f"/calls/{call['id']}", json=body, headers={**AGENCY, "If-Match": tag})
    assert edited.status_code == 200
    assert edited.json()["title"] == "Alpine test call, reworded"
    stale = await client.put(f"/calls/{call['id']}", json=call_body(), headers={**AGENCY, "If-Match": tag})
    assert stale.status_code == 412
    assert stale.json()["type"].endswith("/precondition-failed") and stale.json()["etag"] == edited.headers["ETag"]
    await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)
    after = await client.put(f"/calls/{call['id']}", json=body, headers=AGENCY)
    assert after.status_code == 409 and after.json()["type"].endswith("/call-not-draft")


async def test_amendments_make_versions_with_who_when_why(service_client: ServiceClient) -> None:
    client, app = await service_client("call_definition")
    call = await published(client)
    later = (NOW + timedelta(days=37)).isoformat()
    extended = await client.post(
        f"/calls/{call['id']}/amendments",
        json={"kind": "deadline_extension", "deadline": later, "reason": "portal outage on deadline day"},
        headers=AGENCY,
    )
    assert extended.status_code == 201, extended.text
    assert extended.json()["version"] == 2
    topped = await client.post(
        f"/calls/{call['id']}/amendments",
        json={"kind": "budget_top_up", "region": "CH-FR", "amount": "100000.00", "reason": "canton adds money"},
        headers=AGENCY,
    )
    assert topped.json()["version"] == 3
    fribourg = next(r for r in topped.json()["configuration"]["regions"] if r["code"] == "CH-FR")
    assert fribourg["budget"] == "600000.00"

    versions = (await client.get(f"/calls/{call['id']}/versions")).json()
    assert [(v["version"], v["kind"]) for v in versions] == [
        (1, "publication"),
        (2, "deadline_extension"),
        (3, "budget_top_up"),
    ]
    assert versions[1]["reason"] == "portal outage on deadline day"
    assert versions[1]["created_by"] == "agency"
    audit = (await client.get(f"/calls/{call['id']}/audit", headers=AGENCY)).json()
    assert [a["action"] for a in audit][-2:] == ["call.amended.deadline_extension", "call.amended.budget_top_up"]

    async with app.state.runtime.sessions() as session:
        events = (await session.execute(select(messaging.outbox.c.event_type))).scalars().all()
    assert events == ["call.published.v1", "call.amended.v1", "call.amended.v1"]


async def test_a_bad_amendment_changes_nothing(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    call = await published(client)
    refused = await client.post(
        f"/calls/{call['id']}/amendments",
        json={"kind": "budget_top_up", "region": "IT-42", "amount": "5.00", "reason": "wrong region"},
        headers=AGENCY,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "region"
    unknown = await client.post(
        f"/calls/{call['id']}/amendments", json={"kind": "rename", "reason": "hello"}, headers=AGENCY
    )
    assert unknown.status_code == 422
    assert (await client.get(f"/calls/{call['id']}")).json()["version"] == 1


async def test_the_clock_closes_the_call_and_an_extension_reopens_it(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    from services.call_definition.use_cases.follow_clock import follow_clock_once

    client, app = await service_client("call_definition")
    call = await published(client)
    clock.advance(timedelta(days=31))
    assert (await client.get(f"/calls/{call['id']}")).json()["status"] == "closed"  # even before the worker runs
    runtime = app.state.runtime
    async with runtime.sessions() as session, session.begin():
        assert await follow_clock_once(session, runtime) == 1
    async with runtime.sessions() as session, session.begin():
        assert await follow_clock_once(session, runtime) == 0  # once only
    reopened = await client.post(
        f"/calls/{call['id']}/amendments",
        json={
            "kind": "deadline_extension",
            "deadline": (clock.now() + timedelta(days=2)).isoformat(),
            "reason": "reopened after the outage",
        },
        headers=AGENCY,
    )
    assert reopened.json()["status"] == "open"
    async with runtime.sessions() as session:
        events = (await session.execute(select(messaging.outbox.c.event_type))).scalars().all()
    assert events == ["call.published.v1", "call.closed.v1", "call.amended.v1"]


async def test_transitions_after_closing_only_in_order(service_client: ServiceClient, clock: MovableClock) -> None:
    client, _ = await service_client("call_definition")
    call = await published(client)
    early = await client.post(f"/calls/{call['id']}/transitions", json={"to": "eligibility"}, headers=AGENCY)
    assert early.status_code == 409
    clock.advance(timedelta(days=31))
    for target in ("eligibility", "evaluation", "ranking"):
        moved = await client.post(f"/calls/{call['id']}/transitions", json={"to": target}, headers=AGENCY)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == target
    skip = await client.post(f"/calls/{call['id']}/transitions", json={"to": "results_published"}, headers=AGENCY)
    assert skip.status_code == 409
    assert "funding_decisions" in skip.json()["detail"]
    assert skip.json()["type"].endswith("/call-transition-refused")
    assert (skip.json()["call_status"], skip.json()["allowed"]) == ("ranking", ["funding_decisions"])


async def test_the_alpine_example_loads_as_is(service_client: ServiceClient) -> None:
    from services.call_definition.examples import alpine_call

    client, _ = await service_client("call_definition")
    response = await client.post("/calls", json=alpine_call(), headers=AGENCY)
    assert response.status_code == 201, response.text
    regions = response.json()["configuration"]["regions"]
    assert len(regions) == 11
    assert {r["currency"] for r in regions} == {"EUR", "CHF"}


async def test_the_call_follows_what_the_joint_evaluation_announces(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """A fixed ranking, a funding decision and published results move the call on by themselves: forward only,
    once per message, audited and announced; a call still open is not moved by a stray announcement."""
    from services.call_definition.handlers import subscriptions
    from shared.events import EvaluationCompleted, FundingTotals, ResultsPublished, make_envelope

    client, app = await service_client("call_definition")
    call = await published(client)
    [subscription] = subscriptions(app.state.runtime)
    assert set(subscription.routing_keys) == {"evaluation.completed", "funding.decided", "results.published"}

    def announced(data: Any) -> Any:
        return make_envelope(data, source="joint_evaluation", subject=call["id"], clock=clock)

    completed = announced(EvaluationCompleted(call_id=call["id"], completed_at=clock.now(), ranking=[]))
    await subscription.handler(completed)
    assert (await client.get(f"/calls/{call['id']}")).json()["status"] == "open"  # not closed yet: no change

    clock.advance(timedelta(days=31))
    await subscription.handler(announced(EvaluationCompleted(call_id=call["id"], completed_at=clock.now(), ranking=[])))
    assert (await client.get(f"/calls/{call['id']}")).json()["status"] == "ranking"
    zero = {"amount": "0.00", "currency": "EUR"}
    results = announced(
        ResultsPublished(
            call_id=call["id"],
            published_at=clock.now(),
            funding_version=1,
            reporting_currency="EUR",
            results=[],
            regions=[],
            totals=FundingTotals(budget=zero, allocated=zero, remaining=zero, funding_gap=zero),
        )
    )
    for _ in range(2):  # redelivered: applied once
        await subscription.handler(results)
    late = announced(EvaluationCompleted(call_id=call["id"], completed_at=clock.now(), ranking=[]))
    await subscription.handler(late)  # an older fact arriving late never moves the call back
    assert (await client.get(f"/calls/{call['id']}")).json()["status"] == "results_published"

    audit = (await client.get(f"/calls/{call['id']}/audit", headers=AGENCY)).json()
    followed = [(a["actor"], a["before"], a["after"]) for a in audit if a["actor"] == "joint_evaluation"]
    assert followed == [
        ("joint_evaluation", {"status": "closed"}, {"status": "ranking"}),
        ("joint_evaluation", {"status": "ranking"}, {"status": "results_published"}),
    ]
    async with app.state.runtime.sessions() as session:
        events = (await session.execute(select(messaging.outbox.c.event_type))).scalars().all()
    assert events.count("call.status_changed.v1") == 2


async def test_the_correlation_id_follows_the_request_into_its_event_and_on_into_what_handlers_emit(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """X-Request-ID -> outbox row and envelope; a consumed message's correlation id -> the events its handler
    emits, with the message as their cause."""
    import json

    from services.call_definition.handlers import subscriptions
    from shared.events import EvaluationCompleted, make_envelope

    client, app = await service_client("call_definition")
    call = (await client.post("/calls", json=call_body("ALP-TRACE"), headers=AGENCY)).json()
    published = await client.post(f"/calls/{call['id']}/publish", headers={**AGENCY, "X-Request-ID": "trace-7"})
    assert published.status_code == 200 and published.headers["x-request-id"] == "trace-7"

    clock.advance(timedelta(days=31))
    announced = make_envelope(
        EvaluationCompleted(call_id=call["id"], completed_at=clock.now(), ranking=[]),
        source="joint_evaluation",
        subject=call["id"],
        clock=clock,
        correlation_id="trace-from-the-evaluation",
    )
    [subscription] = subscriptions(app.state.runtime)
    await subscription.handler(announced)

    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox).order_by(messaging.outbox.c.id))).all()
    by_type = {row.event_type: (row.correlation_id, json.loads(row.envelope)) for row in rows}
    correlation, envelope = by_type["call.published.v1"]
    assert correlation == envelope["correlationid"] == "trace-7"
    correlation, envelope = by_type["call.status_changed.v1"]
    assert correlation == envelope["correlationid"] == "trace-from-the-evaluation"
    assert envelope["causationid"] == str(announced.id)


async def test_the_clock_follows_both_stages_of_a_two_stage_call(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """Open, published again between the stages, open again, closed: each recorded once, when it happens, and a
    call the clock is in step with is not looked at again until its next instant."""
    from services.call_definition.repository import calls_behind_the_clock
    from services.call_definition.use_cases.follow_clock import follow_clock_once

    client, app = await service_client("call_definition")
    body = call_body("ALP-TWO")
    final = body["stages"][-1]
    body["stages"] = [
        {"name": "pre-proposal", "opens": final["opens"], "deadline": (NOW + timedelta(days=5)).isoformat()},
        {"name": "full proposal", "opens": (NOW + timedelta(days=10)).isoformat(), "deadline": final["deadline"]},
    ]
    call = (await client.post("/calls", json=body, headers=AGENCY)).json()
    assert call.get("id"), call
    assert (await client.post(f"/calls/{call['id']}/publish", headers=AGENCY)).json()["status"] == "open"
    runtime = app.state.runtime

    async def tick() -> int:
        async with runtime.sessions() as session, session.begin():
            changed = await follow_clock_once(session, runtime)
        async with runtime.sessions() as session:
            assert await calls_behind_the_clock(session, clock.now()) == []  # in step: not due again yet
        return changed

    assert await tick() == 0
    for days, status in ((6, "published"), (5, "open"), (20, "closed")):
        clock.advance(timedelta(days=days))
        assert (await client.get(f"/calls/{call['id']}")).json()["status"] == status
        assert await tick() == 1
        assert await tick() == 0

    audit = (await client.get(f"/calls/{call['id']}/audit", headers=AGENCY)).json()
    assert [a["action"] for a in audit if a["actor"] == "clock"] == ["call.stage_closed", "call.open", "call.closed"]
    async with runtime.sessions() as session:
        events = (await session.execute(select(messaging.outbox.c.event_type))).scalars().all()
    # the pre-proposal stage closing is announced too: regional_eligibility checks the pre-proposals then
    assert events == ["call.published.v1", "call.status_changed.v1", "call.opened.v1", "call.closed.v1"]


async def test_the_alpine_example_is_served_to_agencies_only_as_post_calls_takes_it(
    service_client: ServiceClient,
) -> None:
    client, _ = await service_client("call_definition")
    refused = await client.get("/calls/examples/alpine", headers=bearer("region:AT-4"))
    assert refused.status_code == 403
    example = await client.get("/calls/examples/alpine", headers=AGENCY)
    assert example.status_code == 200
    assert len(example.json()["regions"]) == 11 and example.json()["documents"]
    created = await client.post("/calls", json=example.json(), headers=AGENCY)
    assert created.status_code == 201, created.text
