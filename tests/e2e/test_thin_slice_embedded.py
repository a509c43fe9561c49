"""The thin slice across all four services, over the in-process bus of the embedded default."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.embedded import create_embedded_app
from services.registry import SERVICES
from tests.helpers import bearer, live_call_body, migrate_in_thread, proposal_body

AGENCY = bearer("agency")
CONSORTIUM = bearer("consortium:acme")


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    for definition in SERVICES.values():
        await migrate_in_thread(definition, definition.settings_class(data_dir=tmp_path).database_url)
    app = create_embedded_app(tmp_path, retry_delay_ms=100)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        yield client


async def until(client: httpx.AsyncClient, url: str, accept: Any, within: float = 10.0) -> dict[str, Any]:
    """Poll `url` until `accept(body)` holds: events travel asynchronously."""
    body: dict[str, Any] = {}
    for _ in range(int(within / 0.05)):
        response = await client.get(url, headers=AGENCY)
        body = response.json()
        if response.status_code == 200 and accept(body):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never reached the expected state; last: {body}")


async def test_call_to_evaluation_through_every_service(embedded: httpx.AsyncClient) -> None:
    body = live_call_body("ALP-TEST")
    call = (await embedded.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await embedded.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200

    # proposal_intake learns of the call from call.published, then accepts submissions.
    submit_url = f"/proposal-intake/calls/{call['id']}/proposals"
    eligible = await submit_when_known(embedded, submit_url, proposal_body())
    ineligible = await submit_when_known(
        embedded,
        submit_url,
        proposal_body(("Alpha GmbH", "AT-4", "1000.00", "EUR"), ("Torino Srl", "IT-42", "500.00", "EUR")),
    )

    good = await until(
        embedded,
        f"/joint-evaluation/proposals/{eligible['proposal_id']}",
        lambda b: b["status"] == "awaiting_evaluation",
    )
    assert good["acronym"] == "ALPHA"
    bad = await until(
        embedded, f"/joint-evaluation/proposals/{ineligible['proposal_id']}", lambda b: b["status"] == "not_eligible"
    )
    assert bad["eligibility_reasons"] == ["Torino Srl: region IT-42 does not take part in call ALP-TEST"]

    checks = (
        await embedded.get(f"/regional-eligibility/proposals/{eligible['proposal_id']}", headers=bearer("region:AT-4"))
    ).json()
    assert [c["verdict"] for c in checks["checks"]] == ["pass"]
    listed = (await embedded.get(f"/joint-evaluation/calls/{call['id']}/proposals", headers=AGENCY)).json()
    assert len(listed["items"]) == 2


async def submit_when_known(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    for _ in range(200):
        response = await client.post(url, json=body, headers=CONSORTIUM)
        if response.status_code != 404:
            assert response.status_code == 201, response.text
            receipt: dict[str, Any] = response.json()
            return receipt
        await asyncio.sleep(0.05)
    raise AssertionError("the call never reached proposal_intake")
