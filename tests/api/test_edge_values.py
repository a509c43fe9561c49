"""Edge values answer 422 naming the parameter, never 500: integers beyond bigint, cursors of the wrong shape."""

from __future__ import annotations

import pytest

from shared.pagination import encode_cursor
from tests.conftest import ServiceClient
from tests.helpers import bearer

AUSTRIA = bearer("region:AT-4")


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
