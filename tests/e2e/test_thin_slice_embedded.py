"""The thin slice across all four services, over the in-process bus of the embedded default."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import bearer, embedded_client, live_call_body, partner, proposal_body

AGENCY = bearer("agency")
CONSORTIUM = bearer("consortium:acme")


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with embedded_client(tmp_path) as client:
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
    body = live_call_body("ALP-TEST", deadline=timedelta(seconds=3))
    call = (await embedded.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await embedded.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200

    # proposal_intake learns of the call from call.published, then accepts submissions.
    eligible = await submit_when_known(embedded, call["id"], proposal_body())
    ineligible = await submit_when_known(embedded, call["id"], with_greedy_bavarian_partner())
    # The deadline passes: call_definition's worker announces call.closed, eligibility opens the checks.
    await until(
        embedded, f"/regional-eligibility/proposals/{eligible['proposal_id']}", lambda b: b["status"] == "checking"
    )
    for region in ("AT-4", "CH-FR", "DE-BY"):
        await close_open_items(embedded, bearer(f"region:{region}"))

    good = await until(
        embedded,
        f"/joint-evaluation/proposals/{eligible['proposal_id']}",
        lambda b: b["status"] == "awaiting_evaluation",
    )
    assert good["acronym"] == "ALPHA"
    bad = await until(
        embedded, f"/joint-evaluation/proposals/{ineligible['proposal_id']}", lambda b: b["status"] == "not_eligible"
    )
    assert any("62,000.00 EUR" in reason for reason in bad["eligibility_reasons"])

    checks = (
        await embedded.get(f"/regional-eligibility/proposals/{eligible['proposal_id']}", headers=bearer("region:AT-4"))
    ).json()
    assert {c["region_code"] for c in checks["checks"]} == {"AT-4"}
    receipt = (await embedded.get(f"/proposal-intake/proposals/{eligible['proposal_id']}", headers=CONSORTIUM)).json()
    assert receipt["status"] == "submitted"
    listed = (await embedded.get(f"/joint-evaluation/calls/{call['id']}/proposals", headers=AGENCY)).json()
    assert len(listed["items"]) == 2


async def close_open_items(client: httpx.AsyncClient, region: dict[str, str]) -> None:
    page = (await client.get("/regional-eligibility/checks", params={"status": "open"}, headers=region)).json()
    for check in page["items"]:
        decided = await client.post(
            f"/regional-eligibility/checks/{check['id']}/decision",
            json={"action": "close", "verdict": "pass", "reason": "documents checked"},
            headers=region,
        )
        assert decided.status_code == 200, decided.text


def with_greedy_bavarian_partner() -> dict[str, Any]:
    """A Bavarian SME asking 62% of its costs where Bavaria funds SMEs at 50%: a warning at
    submission, a failed check in Bavaria's eligibility (the call rejects the proposal)."""
    body = proposal_body()
    body["partners"].append(partner("Bayern Werk GmbH", "DE-BY", requested="62000.00", costs="100000.00"))
    return body


async def submit_when_known(client: httpx.AsyncClient, call_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Draft (once proposal_intake has heard of the call), then submit."""
    for _ in range(200):
        created = await client.post(f"/proposal-intake/calls/{call_id}/proposals", json=body, headers=CONSORTIUM)
        if created.status_code not in (404, 503):
            assert created.status_code == 201, created.text
            submitted = await client.post(
                f"/proposal-intake/proposals/{created.json()['id']}/submit", headers=CONSORTIUM
            )
            assert submitted.status_code == 201, submitted.text
            receipt: dict[str, Any] = submitted.json()
            return receipt
        await asyncio.sleep(0.05)
    raise AssertionError("the call never reached proposal_intake")
