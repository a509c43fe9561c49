"""Decimal inputs are bounded in digits and exponent, and more precision than a field holds is refused.

A scale step of "1e-30" used to answer 500, and a score of 4.50000000000000000000000000001 was accepted as 4.5
(the JSON number went through a float). Now both are a 422 naming the field, and JSON numbers are judged by the
digits sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from services.registry import SERVICES
from shared.clock import MovableClock
from shared.http.exact_json import ExactJsonRoute
from tests.api.test_joint_evaluation_api import assigned_to_one_expert
from tests.api.test_text_policy import _body_models, _nested_models
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_body

AGENCY = bearer("agency")
JSON = {"Content-Type": "application/json"}


def _decimal_schemas(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict):
        if schema.get("type") == "decimal":
            yield path, schema
        for key, value in schema.items():
            yield from _decimal_schemas(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _decimal_schemas(value, f"{path}/{index}")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_decimal_of_every_request_body_is_bounded_in_digits_and_places(service: str) -> None:
    seen: set[type[BaseModel]] = set()
    for model in _body_models(SERVICES[service].routers()):
        _nested_models(model, seen)
    unbounded = [
        f"{model.__qualname__}{path}"
        for model in seen
        for path, schema in _decimal_schemas(model.__pydantic_core_schema__)
        if "max_digits" not in schema or "decimal_places" not in schema
    ]
    assert unbounded == []


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_route_parses_json_numbers_exactly(service: str) -> None:
    routes = [route for router in SERVICES[service].routers() for route in router.routes]
    floating = [route.path for route in routes if isinstance(route, APIRoute) and not isinstance(route, ExactJsonRoute)]
    assert floating == []


def _with_step(step: str) -> bytes:
    """A call body whose scale step is `step` written as a bare JSON number (not a string)."""
    body = call_body()
    body["evaluation"]["scale"]["step"] = "@STEP@"
    return json.dumps(body).replace('"@STEP@"', step).encode()


@pytest.mark.parametrize("step", ["1e-30", '"1e-30"', "0.001", "1e400", '"NaN"'])
async def test_a_scale_step_beyond_its_bounds_is_a_422_naming_it(service_client: ServiceClient, step: str) -> None:
    client, _ = await service_client("call_definition")
    answer = await client.post("/calls", content=_with_step(step), headers={**AGENCY, **JSON})
    assert answer.status_code == 422, answer.text
    assert "evaluation.scale.step" in {error["field"] for error in answer.json()["errors"]}


async def test_a_scale_step_as_a_json_number_is_taken_as_written(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    answer = await client.post("/calls", content=_with_step("0.25"), headers={**AGENCY, **JSON})
    assert answer.status_code == 201, answer.text
    assert Decimal(answer.json()["configuration"]["evaluation"]["scale"]["step"]) == Decimal("0.25")


@pytest.mark.parametrize("score", ["4.50000000000000000000000000001", '"4.50000000000000000000000000001"', "4.501"])
async def test_a_score_more_precise_than_a_score_is_refused_not_rounded(
    service_client: ServiceClient, clock: MovableClock, score: str
) -> None:
    client, _, proposal, expert = await assigned_to_one_expert(service_client, clock)
    body = '{"scores": {"impact": ' + score + "}}"
    answer = await client.put(
        f"/proposals/{proposal.proposal_id}/assessment", content=body.encode(), headers={**expert, **JSON}
    )
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == ["scores.impact"]


async def test_a_score_sent_as_a_json_number_on_the_scale_is_accepted(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _, proposal, expert = await assigned_to_one_expert(service_client, clock)
    answer = await client.put(
        f"/proposals/{proposal.proposal_id}/assessment",
        content=b'{"scores": {"impact": 4.50}}',
        headers={**expert, **JSON},
    )
    assert answer.status_code == 200, answer.text
    assert Decimal(answer.json()["scores"]["impact"]) == Decimal("4.5")
