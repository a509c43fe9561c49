"""A new integrator's client, written from the README and the OpenAPI documents alone: only HTTP (an httpx client
on the embedded default in sandbox mode, through its ASGI app) and the documented commands (`jointcall token`).
It runs a small four-region call from publication to the eligibility decisions and checks each point of issue 22:
tokens for several roles at once, read-your-writes right after `publish`, the typed pre-check with `may_submit`
and the call's requirements, refusals visible to the agency, the sandbox clock, reasons that name their subject."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.helpers import live_call_body, partner, poll, proposal_body

REGIONS = ("AT-4", "CH-FR", "DE-BY", "IT-25")
ROLES = ["agency", "consortium:acme", "consortium:beta", *(f"region:{code}" for code in REGIONS)]


def tokens_from_the_command() -> dict[str, dict[str, str]]:
    """`jointcall token --json ROLE...`, as the README documents it: one call for every role."""
    done = subprocess.run(
        [sys.executable, "-m", "services", "token", "--json", *ROLES], capture_output=True, text=True, check=True
    )
    issued: dict[str, str] = json.loads(done.stdout)
    assert list(issued) == ROLES
    return {role: {"Authorization": f"Bearer {token}"} for role, token in issued.items()}


async def eventually(read: Any, accept: Any, within: float = 20.0) -> Any:
    """Poll as the README says a client waits for another service's copy: a short pause, never a fixed sleep."""
    return await poll(read, accept, within, pause=0.1)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


async def test_a_small_call_end_to_end_through_the_public_apis(sandbox: httpx.AsyncClient) -> None:
    t = tokens_from_the_command()
    agency, acme, beta = t["agency"], t["consortium:acme"], t["consortium:beta"]

    # The agency publishes a four-region call, closing in six hours.
    body = live_call_body("ALP-CLIENT", deadline=timedelta(hours=6))
    body["regions"] = [region for region in body["regions"] if region["code"] in REGIONS]
    call = ok(await sandbox.post("/call-definition/calls", json=body, headers=agency), 201)
    call = ok(await sandbox.post(f"/call-definition/calls/{call['id']}/publish", headers=agency))
    call_id = call["id"]

    # Read-your-writes: what the call requires, and a first empty draft, at once (no 404 while call.published
    # travels).
    requirements = ok(await sandbox.get(f"/proposal-intake/calls/{call_id}/requirements"))
    assert [r["code"] for r in requirements["regions"]] == [r["code"] for r in body["regions"]]
    empty = ok(await sandbox.post(f"/proposal-intake/calls/{call_id}/proposals", json={}, headers=acme), 201)
    check = ok(await sandbox.get(f"/proposal-intake/proposals/{empty['id']}/precheck", headers=acme))
    assert (check["outcome"], check["may_submit"], check["requirements"]) == ("incomplete", False, requirements)

    # Filled from the requirements, under If-Match: the pre-check says it may be submitted, and it is.
    etag = (await sandbox.get(f"/proposal-intake/proposals/{empty['id']}", headers=acme)).headers["ETag"]
    # An S3 area of the call that both partners' regions fund (AT-4 and CH-FR), read from the requirements.
    funded = [set(r["s3_areas"]) for r in requirements["regions"] if r["code"] in ("AT-4", "CH-FR")]
    area = next(a for a in requirements["proposal"]["s3_areas"] if all(a in areas for areas in funded))
    filled = {**proposal_body(), "s3_areas": [area]}
    ok(await sandbox.put(f"/proposal-intake/proposals/{empty['id']}", json=filled, headers={**acme, "If-Match": etag}))
    check = ok(await sandbox.get(f"/proposal-intake/proposals/{empty['id']}/precheck", headers=acme))
    assert check["may_submit"] is True and check["blockers"] == []
    receipt = ok(await sandbox.post(f"/proposal-intake/proposals/{empty['id']}/submit", headers=acme), 201)
    assert receipt["warnings"] == check["warnings"]

    # A second proposal with a large enterprise from Lombardy, which does not fund them: a warning only.
    lombard = partner("Lombardia Grande SpA", "IT-25", kind="large_enterprise", costs="150000.00", requested="50000.00")
    second = {**proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"), lombard), "acronym": "BRAVO"}
    drafted = ok(await sandbox.post(f"/proposal-intake/calls/{call_id}/proposals", json=second, headers=acme), 201)
    warned = ok(await sandbox.post(f"/proposal-intake/proposals/{drafted['id']}/submit", headers=acme), 201)
    assert any("large enterprise" in warning for warning in warned["warnings"])

    # Beta applies alone: refused (422), and the agency sees who tried and why.
    alone = {**proposal_body(partner("Beta Srl", "IT-25", role="coordinator")), "acronym": "SOLO"}
    solo = ok(await sandbox.post(f"/proposal-intake/calls/{call_id}/proposals", json=alone, headers=beta), 201)
    ok(await sandbox.post(f"/proposal-intake/proposals/{solo['id']}/submit", headers=beta), 422)
    refusals = ok(await sandbox.get(f"/proposal-intake/calls/{call_id}/refusals", headers=agency))
    assert refusals["total"] == 1 and refusals["last_per_proposal"][0]["applicant_id"] == "beta"
    assert "consortium.min_participating_regions" in {r["rule"] for r in refusals["by_rule"]}

    # The sandbox clock passes the deadline in a request: late submissions are refused, the call is closed.
    deadline = datetime.fromisoformat(call["deadline"])
    moved = ok(
        await sandbox.post("/sandbox/clock", json={"to": (deadline + timedelta(minutes=1)).isoformat()}, headers=agency)
    )
    assert datetime.fromisoformat(moved["now"]) > deadline
    ok(await sandbox.post(f"/proposal-intake/proposals/{solo['id']}/submit", headers=beta), 409)
    assert ok(await sandbox.get(f"/call-definition/calls/{call_id}"))["status"] == "closed"

    # Each region's officers close their manual checks as they appear; every check names its organisation.
    async def decided() -> list[dict[str, Any]]:
        for code in REGIONS:
            region = t[f"region:{code}"]
            page = ok(await sandbox.get("/regional-eligibility/checks", params={"call_id": call_id}, headers=region))
            assert all(c["organisation_name"] for c in page["items"]), page["items"]
            params = {"call_id": call_id, "status": "open"}
            still_open = ok(await sandbox.get("/regional-eligibility/checks", params=params, headers=region))
            for item in still_open["items"]:
                decision = {"action": "close", "verdict": "pass", "reason": "documents checked"}
                path = f"/regional-eligibility/checks/{item['id']}/decision"
                ok(await sandbox.post(path, json=decision, headers=region))
        page = ok(await sandbox.get(f"/joint-evaluation/calls/{call_id}/proposals", headers=agency))
        items: list[dict[str, Any]] = page["items"]
        return items

    entries = await eventually(
        decided, lambda items: len(items) == 2 and all(e["eligibility"] != "pending" for e in items)
    )
    by_acronym = {entry["acronym"]: entry for entry in entries}
    assert by_acronym["ALPHA"]["eligibility"] == "eligible", by_acronym["ALPHA"]["eligibility_reasons"]
    bravo = by_acronym["BRAVO"]
    assert bravo["eligibility"] == "not_eligible"
    detail = next(d for d in bravo["eligibility_reason_details"] if d["rule"] == "regional.organisation_type")
    assert detail["organisation_name"] == "Lombardia Grande SpA" and detail["region_code"] == "IT-25"
    assert detail["partner_id"] and detail["details"]["organisation_type"] == "large_enterprise"
    assert detail["text"].startswith("Lombardia Grande SpA (IT-25): a large enterprise is not eligible")
    assert bravo["eligibility_reasons"] == [d["text"] for d in bravo["eligibility_reason_details"]]

    # The ranking carries the same reasons, as sentences and as data.
    ranking = ok(await sandbox.get(f"/joint-evaluation/calls/{call_id}/ranking", headers=agency))
    ineligible = next(line for line in ranking["items"] if line["acronym"] == "BRAVO")
    assert ineligible["status"] == "ineligible"
    assert ineligible["reason_details"] == bravo["eligibility_reason_details"]
