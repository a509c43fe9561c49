"""Edge values answer 422 naming the parameter, never 500: integers beyond bigint, cursors of the wrong shape."""

from __future__ import annotations

import json

import pytest

from services.cli import openapi_documents
from shared.pagination import BIGINT_MAX, encode_cursor
from tests.conftest import ServiceClient
from tests.helpers import bearer

AUSTRIA = bearer("region:AT-4")
DOCUMENTS = openapi_documents()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("method", "path", "params", "field"),
    [
        ("GET", "/feed", {"after": "9223372036854775808"}, "after"),
        ("POST", "/checks/12345678901234567890/decision", {}, "check_id"),
        ("GET", "/checks", {"cursor": encode_cursor("abc")}, "cursor"),
        ("GET", "/checks", {"cursor": encode_cursor(2**63)}, "cursor"),
        ("GET", "/checks", {"cursor": encode_cursor(True)}, "cursor"),
        ("GET", "/checks", {"cursor": "%%%not-base64"}, "cursor"),
    ],
)
async def test_an_edge_value_in_a_regions_request_is_a_422_naming_it(
    service_client: ServiceClient, method: str, path: str, params: dict[str, str], field: str
) -> None:
    client, _ = await service_client("regional_eligibility")
    body = {"action": "confirm", "reason": "fine"} if method == "POST" else None
    answer = await client.request(method, path, params=params, json=body, headers=AUSTRIA)
    assert answer.status_code == 422
    assert field in {error["field"] for error in answer.json()["errors"]}


async def test_the_largest_bigint_is_still_a_valid_feed_position(service_client: ServiceClient) -> None:
    client, _ = await service_client("regional_eligibility")
    answer = await client.get("/feed", params={"after": str(2**63 - 1)}, headers=AUSTRIA)
    assert answer.status_code == 200
    assert answer.json()["items"] == []


SOME_ID = "3f2b7d0e-8c1a-4d5e-9f60-1a2b3c4d5e6f"


@pytest.mark.parametrize(
    ("service", "token", "path", "params", "field"),
    [
        ("call_definition", "agency", "/calls", {"cursor": encode_cursor({"a": 1})}, "cursor"),
        ("call_definition", "agency", "/calls", {"cursor": encode_cursor("\x00")}, "cursor"),
        ("call_definition", "agency", "/calls", {"cursor": encode_cursor("x" * 201)}, "cursor"),
        ("proposal_intake", "region:AT-4", f"/calls/{SOME_ID}/partners", {"cursor": encode_cursor("a", 5)}, "cursor"),
        (
            "proposal_intake",
            "consortium:acme",
            f"/calls/{SOME_ID}/proposals",
            {"cursor": encode_cursor(["x"])},
            "cursor",
        ),
        ("joint_evaluation", "agency", f"/calls/{SOME_ID}/evaluators", {"cursor": encode_cursor(None)}, "cursor"),
        ("project_monitoring", "agency", f"/projects/{SOME_ID}/reports/2147483648", {}, "period"),
        ("project_monitoring", "agency", f"/projects/{SOME_ID}/reports/0", {}, "period"),
        ("s3_strategy", "agency", "/regions", {"cursor": encode_cursor(["x"])}, "cursor"),
        ("s3_strategy", "agency", "/regions", {"cursor": "x" * 201}, "cursor"),
        ("regional_eligibility", "region:AT-4", "/partners/a%00b", {}, "partner_id"),
    ],
)
async def test_an_edge_value_in_any_services_request_is_a_422_naming_it(
    service_client: ServiceClient, service: str, token: str, path: str, params: dict[str, str], field: str
) -> None:
    client, _ = await service_client(service)
    answer = await client.get(path, params=params, headers=bearer(token))
    assert answer.status_code == 422, answer.text
    assert field in {error["field"] for error in answer.json()["errors"]}


@pytest.mark.parametrize(
    ("path", "field", "token"),
    [
        (f"/calls/{SOME_ID}/reserve-offers/99999999999999999999/confirmations", "offer_round", "region:AT-4"),
        (f"/calls/{SOME_ID}/funding/regions/AT%004/confirmation", "region_code", "region:AT-4"),
    ],
)
async def test_an_edge_value_in_a_joint_evaluation_path_is_a_422_naming_it(
    service_client: ServiceClient, path: str, field: str, token: str
) -> None:
    client, _ = await service_client("joint_evaluation")
    answer = await client.post(path, json={"decision": "accept"}, headers=bearer(token))
    assert answer.status_code == 422, answer.text
    assert field in {error["field"] for error in answer.json()["errors"]}


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_every_path_and_query_parameter_is_bounded_in_the_openapi(service: str) -> None:
    """Integers to what PostgreSQL's bigint holds, text to a length (or a format or pattern that bounds it)."""
    unbounded = []
    for path, operations in json.loads(DOCUMENTS[service])["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in ("path", "query"):
                    continue
                schema = parameter["schema"]
                for variant in [schema, *schema.get("anyOf", [])]:
                    kind = variant.get("type")
                    if kind == "integer" and not (
                        "minimum" in variant and "maximum" in variant and variant["maximum"] <= BIGINT_MAX
                    ):
                        unbounded.append(f"{method} {path} {parameter['name']}")
                    if kind == "string" and not {"maxLength", "format", "enum", "pattern"} & variant.keys():
                        unbounded.append(f"{method} {path} {parameter['name']}")
    assert unbounded == []
