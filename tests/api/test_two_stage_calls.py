"""Two-stage calls through the public APIs: the call's stage-1 configuration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.call_definition.examples.two_stage import as_two_stage
from tests.conftest import ServiceClient
from tests.helpers import NOW, bearer, call_body

AGENCY = bearer("agency")


def two_stage_body(code: str = "ALP-2STAGE", **two_stage: Any) -> dict[str, Any]:
    """Pre-proposals open since 10 days until 5 days from NOW; full proposals from 10 to 30 days from NOW."""
    body = as_two_stage(call_body(code), pre_deadline=NOW + timedelta(days=5), full_opens=NOW + timedelta(days=10))
    for key, value in two_stage.items():
        body["two_stage"] = {**body["two_stage"], key: value}
    return body


async def test_an_agency_defines_a_two_stage_call_with_its_stage_1_and_shortlist_rules(
    service_client: ServiceClient,
) -> None:
    client, _ = await service_client("call_definition")
    created = await client.post("/calls", json=two_stage_body(), headers=AGENCY)
    assert created.status_code == 201, created.text
    stages = created.json()["configuration"]["two_stage"]
    assert stages["shortlist"] == {"oversubscription_factor": "3", "region_factors": {"CH-FR": "2.5"}}
    assert stages["evaluation"]["panel"]["evaluators_per_proposal"] == 2
    assert stages["stage_two"]["max_funding_increase"] == "0.1"


async def test_a_bad_stage_1_configuration_is_refused_naming_each_field_and_stores_nothing(
    service_client: ServiceClient,
) -> None:
    client, _ = await service_client("call_definition")
    body = two_stage_body(
        evaluation={"panel": {"criteria": ["excellence", "elegance"]}, "region_fit": True},
        shortlist={"oversubscription_factor": 3, "region_factors": {"PL-MZ": 2}},
    )
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {
        "two_stage.evaluation.panel.criteria.1",
        "two_stage.shortlist.region_factors.PL-MZ",
    }
    assert (await client.get("/calls/all", headers=AGENCY)).json()["items"] == []


async def test_a_one_stage_call_cannot_carry_stage_1_rules(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    body = call_body()
    body["two_stage"] = two_stage_body()["two_stage"]
    response = await client.post("/calls", json=body, headers=AGENCY)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["two_stage"]
