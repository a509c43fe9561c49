"""call_definition through its HTTP API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.call_definition.models import messaging
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_body

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


async def test_invalid_call_lists_every_error_with_its_field_and_stores_nothing(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body = call_body(
        deadline="2027-01-01T00:00:00+00:00",
        opens_at="2027-02-01T00:00:00+00:00",
        regions=[
            {"code": "AT-4", "name": "Upper Austria", "currency": "EUR"},
            {"code": "AT-4", "name": "Upper Austria", "currency": "EUR"},
        ],
    )
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} == {"deadline", "regions.1.code"}
    assert (await client.get("/calls")).json()["items"] == []


async def test_field_errors_point_at_the_field(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body: dict[str, Any] = call_body()
    body["regions"][1]["currency"] = "euro"
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "regions.1.currency"
    assert response.json()["errors"][0]["pointer"] == "#/regions/1/currency"


async def test_naive_instants_are_refused(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    response = await client.post("/calls", json=call_body(deadline="2027-05-01T17:00:00"), headers=AGENCY)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "deadline"


async def test_public_list_shows_published_calls_without_a_token_but_not_drafts(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    draft = (await client.post("/calls", json=call_body("DRAFT-1"), headers=AGENCY)).json()
    public = (await client.post("/calls", json=call_body("PUB-1"), headers=AGENCY)).json()
    await client.post(f"/calls/{public['id']}/publish", headers=AGENCY)

    listed = (await client.get("/calls")).json()["items"]
    assert [c["code"] for c in listed] == ["PUB-1"]
    assert (await client.get(f"/calls/{draft['id']}")).status_code == 404
    assert (await client.get(f"/calls/{public['id']}")).status_code == 200


async def test_deadline_is_stored_as_the_same_instant(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    call = (await client.post("/calls", json=call_body(deadline="2027-04-15T17:00:00+02:00"), headers=AGENCY)).json()
    read = (await client.get(f"/calls/{call['id']}/draft", headers=AGENCY)).json()
    assert read["deadline"] == "2027-04-15T15:00:00Z"


async def test_roles_no_token_401_wrong_role_403(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    assert (await client.post("/calls", json=call_body())).status_code == 401
    assert (await client.post("/calls", json=call_body(), headers=bearer("region:AT-4"))).status_code == 403
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


async def test_correlation_id_is_echoed_and_put_on_problems(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    response = await client.post("/calls", json={}, headers={**AGENCY, "X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["correlation_id"] == "trace-42"
