"""`jointcall demo`: a joint call on the Alpine Space example, end to end, on the embedded default.

Everything goes through the services' public HTTP APIs and the bus, as real clients would.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from shared.http.auth import issue_token
from shared.settings import DEV_JWT_SECRET

from .call_definition.examples import alpine_call, redated
from .registry import SERVICES

OUTSIDERS = [("IT-42", "Liguria"), ("FR-ARA", "Auvergne-Rhone-Alpes")]  # not in the call: ineligible here


def alpine_call_body(now: datetime) -> dict[str, Any]:
    """The Alpine example, re-dated so that it is open now and closes in two hours."""
    body = redated(alpine_call(), now - timedelta(hours=1))
    body["code"] = f"{body['code']}-DEMO-{now:%H%M%S}"
    body["stages"][-1]["deadline"] = (now + timedelta(hours=2)).isoformat()
    for key, days in (("eligibility_check_due", 30), ("evaluation_due", 60), ("decisions_due", 90)):
        body[key] = (now + timedelta(days=days)).isoformat()
    return body


def generated_proposal(rng: random.Random, index: int, regions: list[dict[str, str]]) -> dict[str, Any]:
    partners = []
    for number, region in enumerate(rng.sample(regions, k=rng.randint(2, 4))):
        amount = Decimal(rng.randrange(20_000, 250_000, 500)).quantize(Decimal("0.01"))
        partners.append(
            {
                "organisation_name": f"Org {index}-{number} ({region['name']})",
                "region_code": region["code"],
                "requested_funding": {"amount": str(amount), "currency": region["currency"]},
            }
        )
    if rng.random() < 0.15:  # a partner from a region outside the call
        code, name = rng.choice(OUTSIDERS)
        partners.append(
            {
                "organisation_name": f"Org {index}-x ({name})",
                "region_code": code,
                "requested_funding": {"amount": "10000.00", "currency": "EUR"},
            }
        )
    return {"acronym": f"ALP{index:03d}", "title": f"Transregional value chain {index}", "partners": partners}


async def run_demo(client: httpx.AsyncClient, *, proposals: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    agency = _auth("agency")
    body = alpine_call_body(datetime.now(UTC))
    call = await _ok(client.post("/call-definition/calls", json=body, headers=agency))
    await _ok(client.post(f"/call-definition/calls/{call['id']}/publish", headers=agency))
    _say(f"call {call['code']} published with {len(call['configuration']['regions'])} regions")

    receipts = []
    for index in range(1, proposals + 1):
        consortium = _auth(f"consortium:applicant-{index:03d}")
        proposal = generated_proposal(rng, index, call["configuration"]["regions"])
        receipts.append(await _submit(client, call["id"], proposal, consortium))
        _progress("submitted", index, proposals)

    outcomes: dict[str, int] = {}
    for index, receipt in enumerate(receipts, start=1):
        entry = await _settled(client, receipt["proposal_id"], agency)
        outcomes[entry["status"]] = outcomes.get(entry["status"], 0) + 1
        _progress("evaluated", index, proposals)
    return {"call": call["code"], "proposals": proposals, "outcomes": outcomes}


async def _submit(client: httpx.AsyncClient, call_id: str, body: dict[str, Any], token: dict[str, str]) -> Any:
    for _ in range(200):  # until proposal_intake has heard of the call
        response = await client.post(f"/proposal-intake/calls/{call_id}/proposals", json=body, headers=token)
        if response.status_code != 404:
            return _checked(response)
        await asyncio.sleep(0.05)
    raise SystemExit("proposal_intake never learnt of the call")


async def _settled(client: httpx.AsyncClient, proposal_id: str, token: dict[str, str]) -> Any:
    for _ in range(400):
        response = await client.get(f"/joint-evaluation/proposals/{proposal_id}", headers=token)
        if response.status_code == 200 and response.json()["status"] != "awaiting_eligibility":
            return response.json()
        await asyncio.sleep(0.05)
    raise SystemExit(f"proposal {proposal_id} never reached evaluation")


async def _ok(pending: Any) -> Any:
    return _checked(await pending)


def _checked(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SystemExit(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}")
    return response.json()


def _auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role)}"}


def _say(text: str) -> None:
    print(text, flush=True)


def _progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    sys.stdout.write(f"\r{label:>10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stdout.flush()


async def demo_embedded(*, proposals: int, seed: int, data_dir: Path | None) -> dict[str, Any]:
    from shared.service import migrate

    from .embedded import create_embedded_app

    folder = data_dir or Path(tempfile.mkdtemp(prefix="jointcall-demo-"))
    for definition in SERVICES.values():
        await asyncio.to_thread(migrate, definition, definition.settings_class(data_dir=folder).database_url)
    app = create_embedded_app(folder, retry_delay_ms=200)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        summary = await run_demo(client, proposals=proposals, seed=seed)
    summary["data_dir"] = str(folder)
    return summary
