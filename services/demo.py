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

from shared.clock import ShiftedClock
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


ORGANISATIONS = {
    "sme": "GmbH",
    "research_organisation": "Institute",
    "university": "University",
    "cluster_organisation": "Cluster",
    "large_enterprise": "AG",
}


def generated_proposal(rng: random.Random, index: int, regions: list[dict[str, Any]]) -> dict[str, Any]:
    """A realistic consortium: 2-4 partners from different regions, budgets within the shares."""
    chosen = rng.sample(regions, k=rng.randint(2, 4))
    topic = rng.choice(sorted(set.intersection(*(set(r["s3_areas"]) for r in chosen)) or chosen[0]["s3_areas"]))
    partners = [_partner(rng, index, number, region) for number, region in enumerate(chosen)]
    partners[0]["role"] = "coordinator"
    if rng.random() < 0.1:  # a self-funded partner from outside the call: ineligible in this call's checks
        code, name = rng.choice(OUTSIDERS)
        partners.append(_outsider(index, code, name))
    return {
        "acronym": f"ALP{index:03d}",
        "title": f"Transregional value chain {index} in {topic}",
        "abstract": f"Consortium {index} develops and pilots new {topic} solutions across Alpine regions.",
        "s3_areas": [topic],
        "trl": rng.randint(4, 7),
        "duration_months": rng.choice((18, 24, 30, 36)),
        "partners": partners,
    }


def _partner(rng: random.Random, index: int, number: int, region: dict[str, Any]) -> dict[str, Any]:
    kind = rng.choice(region["eligible_organisation_types"])
    costs = Decimal(rng.randrange(80_000, 300_000, 1_000))
    rate = Decimal(str(region["funding_rates"][kind]))
    cap = Decimal(str(region.get("max_grant_per_partner") or costs))
    requested = min(costs * rate * Decimal(rng.choice(("0.8", "0.9", "1.0", "1.1"))), cap).quantize(Decimal("1"))
    return {
        "organisation_name": f"{region['name']} {ORGANISATIONS[kind]} {index}-{number}",
        "legal_id": f"{region['code']}-{index:04d}-{number}",
        "country": region["code"][:2],
        "region_code": region["code"],
        "organisation_type": kind,
        "is_sme": kind == "sme",
        "role": "partner",
        "contact": {"name": f"Contact {index}-{number}", "email": f"p{index}.{number}@example.org"},
        "currency": region["currency"],
        "budget": {"personnel": str(costs)},
        "requested_funding": str(requested),
    }


def _outsider(index: int, code: str, name: str) -> dict[str, Any]:
    return {
        "organisation_name": f"{name} Srl {index}",
        "legal_id": f"{code}-{index:04d}",
        "country": code[:2],
        "region_code": code,
        "organisation_type": "sme",
        "is_sme": True,
        "role": "partner",
        "contact": {"name": "Self-funded", "email": f"x{index}@example.org"},
        "currency": "EUR",
        "budget": {"personnel": "50000"},
        "requested_funding": "0",
    }


async def run_demo(
    client: httpx.AsyncClient, *, proposals: int, seed: int, clock: ShiftedClock | None = None
) -> dict[str, Any]:
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

    outcomes: dict[str, int] = {"refused at submission": sum(r is None for r in receipts)}
    receipts = [r for r in receipts if r is not None]
    if clock is not None:
        clock.advance(timedelta(hours=2, minutes=1))  # the deadline passes
        _say("deadline passed: the call closes and each region checks its partners")
    await _wait_for_checks(client, receipts, agency)
    await _regions_decide(client, rng, [r["code"] for r in call["configuration"]["regions"]], call["id"])
    for index, receipt in enumerate(receipts, start=1):
        entry = await _settled(client, receipt["proposal_id"], agency)
        outcomes[entry["status"]] = outcomes.get(entry["status"], 0) + 1
        _progress("evaluated", index, len(receipts))
    return {"call": call["code"], "proposals": proposals, "outcomes": outcomes}


async def _wait_for_checks(client: httpx.AsyncClient, receipts: list[Any], token: dict[str, str]) -> None:
    for receipt in receipts:
        for _ in range(600):
            response = await client.get(f"/regional-eligibility/proposals/{receipt['proposal_id']}", headers=token)
            if response.status_code == 200 and response.json()["status"] != "awaiting_deadline":
                break
            await asyncio.sleep(0.05)


async def _regions_decide(client: httpx.AsyncClient, rng: random.Random, regions: list[str], call_id: str) -> None:
    """Each region's officers close their manual items; a few findings fail a partner."""
    for index, region in enumerate(regions, start=1):
        token = _auth(f"region:{region}")
        while True:
            page = await _ok(
                client.get(
                    "/regional-eligibility/checks",
                    params={"status": "open", "call_id": call_id, "limit": 500},
                    headers=token,
                )
            )
            if not page["items"]:
                break
            for check in page["items"]:
                verdict = "fail" if rng.random() < 0.03 else "pass"
                await _ok(
                    client.post(
                        f"/regional-eligibility/checks/{check['id']}/decision",
                        headers=token,
                        json={"action": "close", "verdict": verdict, "reason": f"{check['rule']}: documents checked"},
                    )
                )
        _progress("regions", index, len(regions))


async def _submit(client: httpx.AsyncClient, call_id: str, body: dict[str, Any], token: dict[str, str]) -> Any:
    for _ in range(200):  # until proposal_intake has heard of the call
        response = await client.post(f"/proposal-intake/calls/{call_id}/proposals", json=body, headers=token)
        if response.status_code != 404:
            draft = _checked(response)
            submitted = await client.post(f"/proposal-intake/proposals/{draft['id']}/submit", headers=token)
            if submitted.status_code == 422:
                return None  # the consortium rules refuse it: a real consortium would fix its draft
            return _checked(submitted)
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
    clock = ShiftedClock()
    app = create_embedded_app(folder, clock=clock, retry_delay_ms=200)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        summary = await run_demo(client, proposals=proposals, seed=seed, clock=clock)
    summary["data_dir"] = str(folder)
    return summary
