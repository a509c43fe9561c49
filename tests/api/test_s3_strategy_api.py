"""s3_strategy through its HTTP API: priorities per region (each region edits only its own), import and export,
the matrix, the topics, and a call draft started from a topic in call_definition."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.s3_strategy.examples import alpine_priorities
from shared.clock import MovableClock
from tests.conftest import ServiceClient
from tests.helpers import NOW, bearer

AGENCY = bearer("agency")
JSON = {"content-type": "application/json"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    """Every test here runs on SQLite and on PostgreSQL (the full stack's database)."""
    return str(request.param)


async def _s3(service_client: ServiceClient) -> httpx.AsyncClient:
    client, _ = await service_client("s3_strategy")
    return client


async def _imported(service_client: ServiceClient) -> httpx.AsyncClient:
    client = await _s3(service_client)
    response = await client.post("/imports", content=json.dumps(alpine_priorities()), headers={**AGENCY, **JSON})
    assert response.status_code == 201, response.text
    return client


def _region_body(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "Upper Austria",
        "currency": "EUR",
        "source": "illustrative",
        "priorities": [{"key": "robots", "title": "Robotics", "nace": ["28"], "indicative_budget": "100000.00"}],
    }
    body.update(changes)
    return body


async def test_an_agency_imports_the_alpine_priorities_and_reads_every_region_back(
    service_client: ServiceClient,
) -> None:
    client = await _imported(service_client)
    first = await client.get("/regions", params={"limit": 6}, headers=AGENCY)
    rest = await client.get("/regions", params={"limit": 6, "cursor": first.json()["next_cursor"]}, headers=AGENCY)
    codes = [r["code"] for r in first.json()["items"] + rest.json()["items"]]
    assert codes == sorted(codes) and len(codes) == 11
    assert rest.json()["next_cursor"] is None
    fribourg = (await client.get("/regions/CH-FR", headers=bearer("region:SI"))).json()
    assert fribourg["currency"] == "CHF" and fribourg["revision"] == 1


async def test_an_invalid_import_lists_every_error_and_stores_nothing(service_client: ServiceClient) -> None:
    client = await _s3(service_client)
    document = alpine_priorities()
    document["regions"][0]["priorities"][0]["nace"].append("999")
    document["regions"][1]["priorities"] = []
    response = await client.post("/imports", content=json.dumps(document), headers={**AGENCY, **JSON})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-priorities")
    assert {e["field"] for e in problem["errors"]} == {"regions.0.priorities.0.nace.3", "regions.1.priorities"}
    assert (await client.get("/regions", headers=AGENCY)).json()["items"] == []


async def test_a_csv_import_replaces_a_region_and_the_export_gives_the_same_file_back(
    service_client: ServiceClient,
) -> None:
    client = await _imported(service_client)
    exported = await client.get("/exports", params={"format": "csv"}, headers=AGENCY)
    assert exported.headers["content-type"].startswith("text/csv")
    again = await client.post("/imports", content=exported.text, headers={**AGENCY, "content-type": "text/csv"})
    assert again.status_code == 201 and again.json()["priorities"] == exported.text.count("\n") - 1
    assert (await client.get("/exports", params={"format": "csv"}, headers=AGENCY)).text == exported.text
    as_json = await client.get("/exports", headers=AGENCY)
    assert json.loads(as_json.text)["regions"][0]["code"] == "AT-4"


async def test_a_region_edits_its_own_priorities_and_the_change_is_audited(service_client: ServiceClient) -> None:
    client, app = await service_client("s3_strategy")
    saved = await client.put("/regions/AT-4", json=_region_body(), headers=bearer("region:AT-4"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["priorities"][0]["indicative_budget"] == "100000.00"
    changed = await client.put("/regions/AT-4", json=_region_body(name="Oberösterreich"), headers=AGENCY)
    assert changed.json()["revision"] == 2
    from services.s3_strategy.repository import audit_of_region

    async with app.state.runtime.sessions() as session:
        trail = await audit_of_region(session, "AT-4")
    assert [(e["actor"], e["action"]) for e in trail] == [
        ("region:AT-4", "priorities.saved"),
        ("agency", "priorities.saved"),
    ]
    assert trail[1]["before"]["name"] == "Upper Austria" and trail[1]["after"]["name"] == "Oberösterreich"


async def test_a_region_cannot_change_another_regions_priorities(service_client: ServiceClient) -> None:
    client = await _imported(service_client)
    before = (await client.get("/regions/DE-BY", headers=AGENCY)).json()
    refused = await client.put("/regions/DE-BY", json=_region_body(name="Bavaria"), headers=bearer("region:AT-4"))
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/not-your-region")
    assert (await client.get("/regions/DE-BY", headers=AGENCY)).json() == before
    # nor through an import, and neither matrix nor topics are for regions
    document = {"regions": [{"code": "DE-BY", **_region_body(name="Bavaria")}]}
    imported = await client.post("/imports", content=json.dumps(document), headers={**bearer("region:AT-4"), **JSON})
    assert imported.status_code == 403 and imported.json()["type"].endswith("/not-your-region")
    assert (await client.get("/regions/DE-BY", headers=AGENCY)).json() == before
    own = {"regions": [{"code": "AT-4", **_region_body()}]}
    mine = await client.post("/imports", content=json.dumps(own), headers={**bearer("region:AT-4"), **JSON})
    assert mine.status_code == 201 and mine.json()["regions"] == ["AT-4"]
    assert (await client.get("/analysis/matrix", headers=bearer("region:AT-4"))).status_code == 403
    assert (await client.get("/regions", headers=bearer("consortium:acme"))).status_code == 403
    assert (await client.get("/regions")).status_code == 401


async def test_invalid_priorities_of_a_region_name_their_field_and_change_nothing(
    service_client: ServiceClient,
) -> None:
    client = await _s3(service_client)
    body = _region_body(
        priorities=[{"key": "robots", "title": "Robotics", "nabs": ["15"]}, {"key": "robots", "title": "X"}]
    )
    response = await client.put("/regions/AT-4", json=body, headers=AGENCY)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"priorities.0.nabs.0", "priorities.1.key"}
    assert (await client.get("/regions/AT-4", headers=AGENCY)).status_code == 404


async def test_the_matrix_comes_as_json_csv_and_a_heatmap(service_client: ServiceClient) -> None:
    client = await _imported(service_client)
    matrix = (await client.get("/analysis/matrix", headers=AGENCY)).json()
    n = len(matrix["regions"])
    assert n == 11 and all(matrix["combined"][i][i] == 1.0 for i in range(n))
    csv_text = (await client.get("/analysis/matrix", params={"format": "csv"}, headers=AGENCY)).text
    assert csv_text.splitlines()[0] == "region," + ",".join(matrix["regions"])
    svg = await client.get("/analysis/matrix.svg", headers=AGENCY)
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.count("<rect") == n * n + 11
    assert (await client.get("/analysis/matrix.svg", headers=AGENCY)).content == svg.content


async def test_topics_are_shared_by_at_least_k_regions_with_budgets_in_euro(service_client: ServiceClient) -> None:
    client = await _imported(service_client)
    topics = (await client.get("/analysis/topics", params={"k": 9}, headers=AGENCY)).json()
    assert topics["topics"] and all(t["region_count"] >= 9 for t in topics["topics"])
    machinery = next(t for t in topics["topics"] if t["id"] == "nace:28")
    fribourg = next(r for r in machinery["regions"] if r["code"] == "CH-FR")
    assert fribourg["currency"] == "CHF"
    in_eur = sum(float(r["indicative_budget"]) * (1.05 if r["currency"] == "CHF" else 1) for r in machinery["regions"])
    assert float(machinery["total_budget"]) == pytest.approx(in_eur)
    cheaper = (await client.get("/analysis/topics", params={"k": 9, "rate": "CHF:1"}, headers=AGENCY)).json()
    cheap = next(t for t in cheaper["topics"] if t["id"] == "nace:28")
    assert float(machinery["total_budget"]) - float(cheap["total_budget"]) == pytest.approx(
        0.05 * float(fribourg["indicative_budget"])
    )
    assert (await client.get("/analysis/topics", params={"k": 12}, headers=AGENCY)).json()["topics"] == []
    bad = await client.get("/analysis/topics", params={"rate": "CHF:x"}, headers=AGENCY)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rate.0"
    chart = await client.get("/analysis/topics.svg", params={"k": 9}, headers=AGENCY)
    assert chart.text.count("<rect") == len(topics["topics"][:20])
    related = (await client.get("/analysis/regions/AT-5/complementarity", headers=AGENCY)).json()
    assert related and all("AT-5" not in d["partners"] for d in related)


async def _both(service_client: ServiceClient) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    s3, s3_app = await service_client("s3_strategy")
    calls, calls_app = await service_client("call_definition")
    s3_app.state.call_definition_transport = httpx.ASGITransport(app=calls_app)
    response = await s3.post("/imports", content=json.dumps(alpine_priorities()), headers={**AGENCY, **JSON})
    assert response.status_code == 201
    return s3, calls


def _start(code: str = "ALP-S3-1", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "stages": [
            {
                "name": "full proposal",
                "opens": (NOW + timedelta(days=10)).isoformat(),
                "deadline": (NOW + timedelta(days=70)).isoformat(),
            }
        ],
        **extra,
    }


async def test_an_agency_starts_a_call_from_a_topic_with_its_regions_budgets_and_s3_area(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s3, calls = await _both(service_client)
    topic = next(
        t
        for t in (await s3.get("/analysis/topics", params={"k": 2}, headers=AGENCY)).json()["topics"]
        if t["id"] == "nace:28"
    )
    body = _start(region_rules={"AT-4": {"agency": "Business Upper Austria"}}, call={"max_duration_months": 36})
    started = await s3.post("/topics/nace:28/calls", json=body, headers=AGENCY)
    assert started.status_code == 201, started.text
    link = started.json()
    draft = (await calls.get(f"/calls/{link['call_id']}", headers=AGENCY)).json()
    config = draft["configuration"]
    assert draft["status"] == "draft"
    assert config["s3_topic"] == {"id": "nace:28", "label": topic["label"], "regions": link["regions"]}
    assert config["topics"] == [topic["label"]] and config["max_duration_months"] == 36
    annexes = {r["code"]: r for r in config["regions"]}
    assert set(annexes) == {r["code"] for r in topic["regions"]}
    for region in topic["regions"]:
        assert float(annexes[region["code"]]["budget"]) == float(region["indicative_budget"])
        assert annexes[region["code"]]["s3_areas"] == [topic["label"]]
    assert annexes["AT-4"]["agency"] == "Business Upper Austria"
    assert (
        config["funding"]["reporting_rates"] == {"CHF": "1.05"}
        or float(config["funding"]["reporting_rates"]["CHF"]) == 1.05
    )
    remembered = (await s3.get("/topics/nace:28/calls", headers=AGENCY)).json()
    assert [c["call_code"] for c in remembered] == ["ALP-S3-1"]


async def test_a_call_from_a_topic_takes_only_the_regions_asked_for_and_budgets_given(
    service_client: ServiceClient,
) -> None:
    s3, _ = await _both(service_client)
    body = _start(regions=["DE-BY", "CH-FR"], budgets={"CH-FR": "90000.00"})
    started = await s3.post("/topics/nace:28/calls", json=body, headers=AGENCY)
    assert started.status_code == 201, started.text
    config = started.json()["call"]["configuration"]
    assert {r["code"]: float(r["budget"]) for r in config["regions"]} == {"CH-FR": 90000.0, "DE-BY": 400000.0}


async def test_starting_a_call_from_a_topic_explains_what_is_wrong_and_creates_nothing(
    service_client: ServiceClient,
) -> None:
    s3, calls = await _both(service_client)
    unknown = await s3.post("/topics/nace:99/calls", json=_start(), headers=AGENCY)
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/unknown-topic")
    outsider = await s3.post("/topics/nace:28/calls", json=_start(regions=["AT-5"]), headers=AGENCY)
    assert outsider.status_code == 422 and outsider.json()["errors"][0]["field"] == "regions.0"
    # Salzburg's tourism priority has no indicative budget in the example
    no_budget = await s3.post("/topics/nace:79/calls", json=_start(), headers=AGENCY)
    assert no_budget.status_code == 422
    assert {e["field"] for e in no_budget.json()["errors"]} == {"budgets.AT-5", "budgets.IT-34"}
    # call_definition's own checks come back with their fields
    broken = _start()
    broken["stages"][0]["deadline"] = (NOW - timedelta(days=400)).isoformat()
    refused = await s3.post("/topics/nace:28/calls", json=broken, headers=AGENCY)
    assert refused.status_code == 422 and refused.json()["type"].endswith("/call-definition-refused")
    assert "call.stages.0.deadline" in {e["field"] for e in refused.json()["errors"]}
    await s3.post("/topics/nace:28/calls", json=_start(), headers=AGENCY)
    twice = await s3.post("/topics/nace:28/calls", json=_start(), headers=AGENCY)
    assert twice.status_code == 409
    assert len((await s3.get("/topics/nace:28/calls", headers=AGENCY)).json()) == 1
    assert len((await calls.get("/calls/all", headers=AGENCY)).json()["items"]) == 1
    assert (
        await s3.post("/topics/nace:28/calls", json=_start("ALP-R"), headers=bearer("region:AT-4"))
    ).status_code == 403


async def test_call_definition_down_is_a_502_and_nothing_is_remembered(service_client: ServiceClient) -> None:
    s3, s3_app = await service_client("s3_strategy")
    await s3.post("/imports", content=json.dumps(alpine_priorities()), headers={**AGENCY, **JSON})

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    s3_app.state.call_definition_transport = httpx.MockTransport(refuse)
    response = await s3.post("/topics/nace:28/calls", json=_start(), headers=AGENCY)
    assert response.status_code == 502 and response.json()["type"].endswith("/call-definition-unavailable")
    assert (await s3.get("/topics/nace:28/calls", headers=AGENCY)).json() == []
