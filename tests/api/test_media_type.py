"""A JSON body sent without its media type is told so (415), not that it is not a dictionary."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ServiceClient
from tests.helpers import bearer, call_body

AGENCY = bearer("agency")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_json_body_sent_without_its_media_type_is_a_415_naming_it(
    service_client: ServiceClient, content_type: str | None
) -> None:
    client, _ = await service_client("call_definition")
    headers = dict(AGENCY) | ({"Content-Type": content_type} if content_type else {})
    content = json.dumps(call_body()).encode()
    refused = await client.post("/calls", content=content, headers=headers)
    assert refused.request.headers.get("content-type") == content_type  # httpx adds none for raw bytes
    assert refused.status_code == 415
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/unsupported-media-type")
    assert "application/json" in refused.json()["detail"]
    assert (await client.get("/calls/all", headers=AGENCY)).json()["items"] == []


async def test_a_json_body_with_its_media_type_and_a_charset_is_understood(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    headers = dict(AGENCY) | {"Content-Type": "application/json; charset=utf-8"}
    created = await client.post("/calls", content=json.dumps(call_body()).encode(), headers=headers)
    assert created.status_code == 201
