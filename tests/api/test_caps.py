"""Caps: no request can hold so much that it stalls the process.

A valid 21 MB draft (30 partners x 40,000 cost categories) used to be stored, stalling the embedded process for
seconds. Now a body beyond its route's cap is a 413 problem before it is read, and every list, map and text of
every request body has a maximum that the OpenAPI documents (maxItems / maxProperties / maxLength).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import func, select

from services.cli import openapi_documents
from services.proposal_intake.models import Proposal
from shared.clock import MovableClock
from shared.http.body_limit import BodyLimitMiddleware, accepts_uploads
from shared.http.problems import install_problem_handlers
from shared.limits import MAX_COST_CATEGORIES
from tests.conftest import ServiceClient
from tests.helpers import bearer, call_published_envelope, partner, proposal_body, published_call

CONSORTIUM = bearer("consortium:acme")
DOCUMENTS = openapi_documents()


async def _open_call(client_app: tuple[httpx.AsyncClient, FastAPI], clock: MovableClock) -> str:
    _, app = client_app
    call = published_call(clock)
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        await subscription.handler(call_published_envelope(call, clock))
    return str(call.call_id)


def _huge_draft() -> dict[str, Any]:
    """The issue's draft: 30 partners with 40,000 cost categories each, about 21 MB of JSON."""
    budget = {f"c{n}": "1.00" for n in range(40_000)}
    partners = [{**partner(f"Partner {n}", "AT-4"), "budget": budget} for n in range(30)]
    return proposal_body(*partners)


async def test_the_21_mb_draft_of_the_issue_is_a_413_and_nothing_is_stored(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = started = await service_client("proposal_intake")
    call_id = await _open_call(started, clock)
    body = json.dumps(_huge_draft()).encode()
    assert len(body) > 20_000_000
    answer = await client.post(
        f"/calls/{call_id}/proposals", content=body, headers={**CONSORTIUM, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413, answer.text[:300]
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/payload-too-large")
    async with app.state.runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Proposal))).scalar_one() == 0


async def test_a_chunked_body_is_counted_as_it_arrives(service_client: ServiceClient, clock: MovableClock) -> None:
    client, _ = started = await service_client("proposal_intake")
    call_id = await _open_call(started, clock)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the body is counted, not announced
        yield b'{"title": "'
        for _ in range(2_000):
            yield b"x" * 1_000
        yield b'"}'

    answer = await client.post(
        f"/calls/{call_id}/proposals", content=chunks(), headers={**CONSORTIUM, "Content-Type": "application/json"}
    )
    assert answer.status_code == 413


async def test_more_cost_categories_than_a_call_needs_is_a_422_naming_the_partners_budget(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _ = started = await service_client("proposal_intake")
    call_id = await _open_call(started, clock)
    budget = {f"c{n}": "1.00" for n in range(MAX_COST_CATEGORIES + 1)}
    body = proposal_body({**partner("Alpha GmbH", "AT-4", role="coordinator"), "budget": budget})
    answer = await client.post(f"/calls/{call_id}/proposals", json=body, headers=CONSORTIUM)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["partners.0.budget"]


def _capped_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/small")
    async def small(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/documents")
    @accepts_uploads
    async def documents(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(BodyLimitMiddleware, max_body_bytes=2048, max_upload_bytes=8192)
    return app


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [("/small", 2048, 200), ("/small", 2049, 413), ("/documents", 8192, 200), ("/documents", 8193, 413)],
)
async def test_the_cap_is_the_routes_and_a_setting(path: str, size: int, status: int) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_capped_app()), base_url="http://test") as client:
        answer = await client.post(path, content=b"x" * size)
    assert answer.status_code == status
    if status == 413:
        assert answer.json()["type"].endswith("/payload-too-large")


def _unbounded(schema: Any, where: str, definitions: dict[str, Any], seen: set[str]) -> list[str]:
    """Arrays without maxItems, maps without maxProperties, text without maxLength (an enum, a format, a pattern
    or a decimal's number-or-string bounds it otherwise), in a request body's schema."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded(definitions[name], name, definitions, seen)
    found = []
    kind = schema.get("type")
    if kind == "array" and "maxItems" not in schema:
        found.append(f"{where}: array")
    is_map = isinstance(schema.get("additionalProperties"), dict) or "patternProperties" in schema
    if kind == "object" and is_map and "maxProperties" not in schema:
        found.append(f"{where}: map")
    if kind == "string" and not {"maxLength", "enum", "const", "pattern", "format"} & schema.keys():
        found.append(f"{where}: text")
    for key in ("items", "additionalProperties"):
        found += _unbounded(schema.get(key), f"{where}[]", definitions, seen)
    for value in schema.get("patternProperties", {}).values():
        found += _unbounded(value, f"{where}[]", definitions, seen)
    for name, value in schema.get("properties", {}).items():
        found += _unbounded(value, f"{where}.{name}", definitions, seen)
    variants = schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", [])
    decimal = {"number", "string"} <= {variant.get("type") for variant in variants}  # bounded by max_digits
    for variant in variants:
        if not (decimal and variant.get("type") == "string"):
            found += _unbounded(variant, where, definitions, seen)
    return found


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_every_list_map_and_text_of_every_request_body_has_a_maximum_in_the_openapi(service: str) -> None:
    document = json.loads(DOCUMENTS[service])
    definitions = document.get("components", {}).get("schemas", {})
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                if media_type != "application/json" or "$ref" not in content["schema"]:
                    continue  # a raw body (s3_strategy's CSV or JSON import) is bounded by the body cap only
                unbounded += _unbounded(content["schema"], f"{method} {path}", definitions, set())
    assert unbounded == []
