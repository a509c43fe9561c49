"""A service with an OpenID provider configured: HS256 tokens signed with the configured secret stay accepted,
and a provider that cannot be reached is a 503 problem, not a bad token (the flow against a real provider is in
tests/oidc)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import ServiceClient
from tests.helpers import bearer
from tests.integration.processes import free_port


def unsigned(header: dict[str, str]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(dict(header))}.{part({'sub': 'x'})}.c2lnbmF0dXJl"


async def test_hs256_tokens_stay_and_an_unreachable_provider_is_a_503(
    service_client: ServiceClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTCALL_OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")  # nobody listens there
    monkeypatch.setenv("JOINTCALL_OIDC_AUDIENCE", "jointcall-api")
    client, _ = await service_client("call_definition")
    assert (await client.get("/calls/all", headers=bearer("agency"))).status_code == 200

    down = await client.get("/calls/all", headers={"Authorization": f"Bearer {unsigned({'alg': 'RS256'})}"})
    assert down.status_code == 503, down.text
    assert down.headers["content-type"].startswith("application/problem+json")
    assert down.json()["type"].endswith("/identity-provider-unavailable")

    # a token of another algorithm is not sent to the provider: it is simply not valid
    other = await client.get("/calls/all", headers={"Authorization": f"Bearer {unsigned({'alg': 'PS512'})}"})
    assert other.status_code == 401
