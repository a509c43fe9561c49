"""A small two-stage call end to end through the public HTTP APIs, shared by the embedded default
(tests/e2e/test_two_stage_embedded.py) and the full stack (tests/integration/test_two_stage_full_stack.py).

The client speaks the embedded app's prefixed paths (`/proposal-intake/...`): as they are on the embedded app,
through `RoutingTransport` on a full stack. The timeline makes the deadlines pass: the embedded clock jumps, the
full stack waits for real instants.

The call: the Alpine example with AT-4 100,000 EUR and CH-FR 100,000 CHF (caps 300,000 EUR and 250,000 CHF at
factors 3 and 2.5). Three consortia send a pre-proposal asking AT-4 100,000 EUR and CH-FR 120,000 CHF:

    pre-proposal  applicant  stage-1 scores  shortlist
    ALPHA         acme       4.5 4.5         invited (CH-FR 120,000)
    BETA          beta       4   4           invited (CH-FR 240,000)
    GAMMA         gamma      3.5 3.5         CH-FR's cap reached (360,000 > 250,000)

ALPHA and BETA come back as full proposals asking AT-4 50,000 EUR and CH-FR 60,000 CHF; GAMMA is refused.
ALPHA is funded; BETA is on the reserve list (CH-FR has 40,000 CHF left).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from services.call_definition.examples.two_stage import as_two_stage
from services.demo.timeline import Timeline
from tests.helpers import bearer, fribourg_university, live_call_body, partner, proposal_body

AGENCY = bearer("agency")
APPLICANTS = {"ALPHA": "acme", "BETA": "beta", "GAMMA": "gamma"}
STAGE_ONE_SCORES = {"ALPHA": "4.5", "BETA": "4", "GAMMA": "3.5"}
LATE = bearer("consortium:late")
REGIONS = ("AT-4", "CH-FR")
OUTSIDER = "DE-BY"  # a region of the call with no partner in any proposal
PROBLEMS = "https://jointcall.eu/problems/"

CALL = "/call-definition"
INTAKE = "/proposal-intake"
ELIGIBILITY = "/regional-eligibility"
EVALUATION = "/joint-evaluation"


@dataclass(frozen=True)
class Windows:
    """How far from the timeline's now the pre-proposal deadline, stage 2's opening and the call's deadline fall."""

    pre_deadline: timedelta
    full_opens: timedelta
    deadline: timedelta


@dataclass
class Outcome:
    """What the scenario saw, for the tests to assert on."""

    call_id: str = ""
    pre: dict[str, str] = field(default_factory=dict)  # acronym -> pre-proposal id
    full: dict[str, str] = field(default_factory=dict)  # acronym -> full proposal id
    shortlist: dict[str, Any] = field(default_factory=dict)
    invitations: dict[str, dict[str, Any]] = field(default_factory=dict)  # acronym -> invitation
    # region -> acronym -> (feed kind, its data): what each region's feed (and webhooks) said of the shortlist
    notices: dict[str, dict[str, tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    refusal: dict[str, Any] = field(default_factory=dict)  # GAMMA's attempt at a full proposal
    results: dict[str, Any] = field(default_factory=dict)


def consortium(acronym: str) -> dict[str, str]:
    return bearer(f"consortium:{APPLICANTS[acronym]}")


def ok(response: httpx.Response, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200,)), (
        f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
    )
    return response.json() if response.content else None


async def until(probe: Any, what: str, within: float) -> Any:
    """Poll `probe()` until it returns something other than None: events travel asynchronously."""
    give_up = time.monotonic() + within
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up after {within:.0f}s waiting for {what}")
        await asyncio.sleep(0.1)


def pre_proposal_body(acronym: str) -> dict[str, Any]:
    """The stage-1 form: no legal ids, contacts or budgets, only indicative requested funding."""
    body = proposal_body(acronym=acronym)
    for p in body["partners"]:
        del p["legal_id"], p["contact"]
        p["budget"] = {}
    return body


def full_proposal_body(acronym: str) -> dict[str, Any]:
    """The complete stage-2 form, asking half the indicative figures."""
    return proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator", requested="50000.00"),
        fribourg_university(requested="60000.00"),
        acronym=acronym,
    )


async def run_two_stage_call(
    client: httpx.AsyncClient, timeline: Timeline, windows: Windows, *, code: str, wait_s: float = 60.0
) -> Outcome:
    seen = Outcome()
    now = timeline.now()
    body = live_call_body(code, now=now, deadline=windows.deadline)
    for region in body["regions"]:
        if region["code"] in REGIONS:
            region["budget"] = "100000"
    body = as_two_stage(body, pre_deadline=now + windows.pre_deadline, full_opens=now + windows.full_opens)
    call = ok(await client.post(f"{CALL}/calls", json=body, headers=AGENCY), 201)
    seen.call_id = call_id = call["id"]
    ok(await client.post(f"{CALL}/calls/{call_id}/publish", headers=AGENCY))
    stages = call["configuration"]["stages"]

    # Stage 1: three pre-proposals on the lighter form (once proposal_intake has heard of the call).
    for acronym in APPLICANTS:
        seen.pre[acronym] = await submit_new(client, call_id, pre_proposal_body(acronym), consortium(acronym), wait_s)

    await timeline.pass_deadline(datetime.fromisoformat(stages[0]["deadline"]))
    late = await client.post(f"{INTAKE}/calls/{call_id}/proposals", json=pre_proposal_body("LATE"), headers=LATE)
    assert (late.status_code, late.json()["type"]) == (409, PROBLEMS + "stage-1-deadline-passed"), late.text

    # Stage-1 eligibility by the stage-1 rules, each region closing whatever it was left to decide.
    await eligibility_settled(client, list(seen.pre.values()), wait_s)

    # Stage-1 evaluation: two experts on Excellence and Impact, each region's fit, then the shortlist.
    stage_one_experts = [await register(client, call_id, f"Stage One {c}", c) for c in ("IT", "SI")]
    ok(await client.post(f"{EVALUATION}/calls/{call_id}/assignment", headers=AGENCY))
    for acronym, score in STAGE_ONE_SCORES.items():
        for expert in stage_one_experts:
            await assess(client, expert, seen.pre[acronym], {"excellence": score, "impact": score})
        ok(await client.post(f"{EVALUATION}/proposals/{seen.pre[acronym]}/consensus/finalise", headers=AGENCY))
    for region in REGIONS:
        fit = {"go": True, "reason": "fits our S3 priorities"}
        ok(
            await client.put(
                f"{EVALUATION}/proposals/{seen.pre['ALPHA']}/fit", json=fit, headers=bearer(f"region:{region}")
            )
        )

    seen.shortlist = ok(await client.get(f"{EVALUATION}/calls/{call_id}/shortlist", headers=AGENCY))
    decided = ok(await client.post(f"{EVALUATION}/calls/{call_id}/shortlist", json={}, headers=AGENCY))
    assert decided["published_at"] is None
    for region in sorted(decided["confirmations"]):
        confirmed = ok(
            await client.post(
                f"{EVALUATION}/calls/{call_id}/shortlist/regions/{region}/confirmation",
                headers=bearer(f"region:{region}"),
            )
        )
    assert confirmed["published_at"] is not None  # the last confirmation published the invitations

    # The applicants read their invitations once invitations.published has reached proposal_intake.
    for acronym, pre_id in seen.pre.items():
        seen.invitations[acronym] = await until(
            lambda pre_id=pre_id, acronym=acronym: found(
                client.get(f"{INTAKE}/proposals/{pre_id}/invitation", headers=consortium(acronym))
            ),
            f"the invitation of {acronym}",
            wait_s,
        )

    # Each region with partners finds every outcome on its feed; a region without partners finds none.
    for region in REGIONS:
        seen.notices[region] = await until(
            lambda region=region: invitation_notices(client, region, expect=len(APPLICANTS)),
            f"the invitations on {region}'s feed",
            wait_s,
        )
    seen.notices[OUTSIDER] = await invitation_notices(client, OUTSIDER, expect=0) or {}

    # Stage 2: the invited start their full proposals from their pre-proposals; GAMMA is refused.
    refused = await client.post(f"{INTAKE}/proposals/{seen.pre['GAMMA']}/full-proposal", headers=consortium("GAMMA"))
    seen.refusal = {"status": refused.status_code, **refused.json()}
    drafts: dict[str, tuple[str, str]] = {}
    for acronym in ("ALPHA", "BETA"):
        started = await client.post(
            f"{INTAKE}/proposals/{seen.pre[acronym]}/full-proposal", headers=consortium(acronym)
        )
        full = ok(started, 201)
        assert (full["stage"], full["pre_proposal_id"]) == (2, seen.pre[acronym])
        edited = await client.put(
            f"{INTAKE}/proposals/{full['id']}",
            json=full_proposal_body(acronym),
            headers={**consortium(acronym), "If-Match": started.headers["ETag"]},
        )
        ok(edited)
        drafts[acronym] = (full["id"], edited.headers["ETag"])
    await timeline.pass_deadline(datetime.fromisoformat(stages[1]["opens"]))
    for acronym, (full_id, _) in drafts.items():
        ok(await client.post(f"{INTAKE}/proposals/{full_id}/submit", headers=consortium(acronym)), 201)
        seen.full[acronym] = full_id

    # The call closes: every rule on the full proposals, the full panel, the common pot, the results.
    await timeline.pass_deadline(datetime.fromisoformat(stages[1]["deadline"]))
    await eligibility_settled(client, list(seen.full.values()), wait_s)
    panel = [await register(client, call_id, f"Panel {c}", c) for c in ("AT", "FR", "DE")]
    ok(await client.post(f"{EVALUATION}/calls/{call_id}/assignment", headers=AGENCY))
    for acronym, score in (("ALPHA", "4.5"), ("BETA", "4")):
        full_id = seen.full[acronym]
        for expert in [e for e in [*stage_one_experts, *panel] if await sees(client, e, full_id)]:
            await assess(client, expert, full_id, {"excellence": score, "impact": score, "implementation": score})
        ok(await client.post(f"{EVALUATION}/proposals/{full_id}/consensus/finalise", headers=AGENCY))
    ok(await client.post(f"{EVALUATION}/calls/{call_id}/ranking/complete", headers=AGENCY))
    funding = ok(await client.post(f"{EVALUATION}/calls/{call_id}/funding", headers=AGENCY))
    for confirmation in funding["confirmations"]:
        if confirmation["funds_partners"]:
            region = confirmation["region_code"]
            ok(
                await client.post(
                    f"{EVALUATION}/calls/{call_id}/funding/regions/{region}/confirmation",
                    json={"decision": "confirm", "funding_version": funding["funding_version"]},
                    headers=bearer(f"region:{region}"),
                )
            )
    ok(await client.post(f"{EVALUATION}/calls/{call_id}/results/publish", headers=AGENCY))
    seen.results = ok(await client.get(f"{EVALUATION}/calls/{call_id}/results", headers=AGENCY))
    return seen


async def found(request: Any) -> Any:
    response: httpx.Response = await request
    return response.json() if response.status_code == 200 else None


async def submit_new(
    client: httpx.AsyncClient, call_id: str, body: dict[str, Any], token: dict[str, str], wait_s: float
) -> str:
    """Draft once proposal_intake knows the call, then submit; the proposal's id."""

    async def draft() -> httpx.Response | None:
        created = await client.post(f"{INTAKE}/calls/{call_id}/proposals", json=body, headers=token)
        return None if created.status_code == 404 else created

    created = ok(await until(draft, "proposal_intake to learn of the call", wait_s), 201)
    ok(await client.post(f"{INTAKE}/proposals/{created['id']}/submit", headers=token), 201)
    proposal_id: str = created["id"]
    return proposal_id


async def eligibility_settled(client: httpx.AsyncClient, proposal_ids: list[str], wait_s: float) -> None:
    """Each region closes its open items (passing them) until joint_evaluation knows every proposal's eligibility."""

    async def settled() -> bool | None:
        for region in REGIONS:
            token = bearer(f"region:{region}")
            page = ok(await client.get(f"{ELIGIBILITY}/checks", params={"status": "open"}, headers=token))
            for check in page["items"]:
                decision = {"action": "close", "verdict": "pass", "reason": "documents checked"}
                await client.post(f"{ELIGIBILITY}/checks/{check['id']}/decision", json=decision, headers=token)
        for proposal_id in proposal_ids:
            entry = await client.get(f"{EVALUATION}/proposals/{proposal_id}", headers=AGENCY)
            if entry.status_code != 200 or entry.json()["status"] != "awaiting_evaluation":
                return None
        return True

    await until(settled, "the eligibility decisions", wait_s)


async def register(client: httpx.AsyncClient, call_id: str, organisation: str, country: str) -> dict[str, str]:
    body = {
        "name": f"Expert of {organisation}",
        "email": "expert@example.org",
        "organisation": organisation,
        "country": country,
        "max_load": 10,
    }
    created = ok(await client.post(f"{EVALUATION}/calls/{call_id}/evaluators", json=body, headers=AGENCY), 201)
    return {"Authorization": f"Bearer {created['token']}"}


async def invitation_notices(
    client: httpx.AsyncClient, region: str, *, expect: int
) -> dict[str, tuple[str, dict[str, Any]]] | None:
    """The region's feed entries about the shortlist, by acronym, once there are `expect` of them."""
    feed = ok(await client.get(f"{ELIGIBILITY}/feed", params={"limit": 500}, headers=bearer(f"region:{region}")))
    notices = {
        item["data"]["acronym"]: (item["type"], item["data"])
        for item in feed["items"]
        if item["type"] in ("proposal.invited", "proposal.not_invited")
    }
    return notices if len(notices) == expect else None


async def assess(client: httpx.AsyncClient, expert: dict[str, str], proposal_id: str, scores: dict[str, str]) -> None:
    body = {"scores": scores, "justifications": {key: f"why {key}" for key in scores}}
    ok(await client.put(f"{EVALUATION}/proposals/{proposal_id}/assessment", json=body, headers=expert))
    ok(await client.post(f"{EVALUATION}/proposals/{proposal_id}/assessment/submit", headers=expert))


async def sees(client: httpx.AsyncClient, expert: dict[str, str], proposal_id: str) -> bool:
    mine = ok(await client.get(f"{EVALUATION}/evaluators/me/proposals", headers=expert))["items"]
    return proposal_id in {item["proposal_id"] for item in mine}


def check_outcome(seen: Outcome) -> None:
    """What a user would notice, the same on every deployment."""
    lines = {line["acronym"]: line for line in seen.shortlist["proposals"]}
    assert {a: line["status"] for a, line in lines.items()} == {
        "ALPHA": "invited",
        "BETA": "invited",
        "GAMMA": "cap_reached",
    }
    assert lines["GAMMA"]["reasons"] == ["Region CH-FR's cap reached"]
    fribourg = next(r for r in seen.shortlist["regions"] if r["region_code"] == "CH-FR")
    assert (Decimal(fribourg["cap"]), Decimal(fribourg["requested"])) == (Decimal(250000), Decimal(240000))

    assert [seen.invitations[a]["invited"] for a in APPLICANTS] == [True, True, False]
    gamma = seen.invitations["GAMMA"]
    assert (gamma["status"], gamma["reasons"]) == ("cap_reached", ["Region CH-FR's cap reached"])
    for region in REGIONS:
        kinds = {acronym: kind for acronym, (kind, _) in seen.notices[region].items()}
        assert kinds == {"ALPHA": "proposal.invited", "BETA": "proposal.invited", "GAMMA": "proposal.not_invited"}
        alpha, gamma = seen.notices[region]["ALPHA"][1], seen.notices[region]["GAMMA"][1]
        assert alpha["stage_two_deadline"] and alpha["status"] == "invited"
        assert (gamma["status"], gamma["reasons"]) == ("cap_reached", ["Region CH-FR's cap reached"])
    assert seen.notices[OUTSIDER] == {}
    assert seen.refusal["status"] == 403
    assert seen.refusal["type"] == PROBLEMS + "not-invited-to-stage-2"
    assert seen.refusal["reasons"] == ["Region CH-FR's cap reached"]

    assert seen.results["published_at"] is not None
    results = {line["acronym"]: line for line in seen.results["results"]}
    assert {a: (line["status"], line["pre_proposal_id"]) for a, line in results.items()} == {
        "ALPHA": ("funded", seen.pre["ALPHA"]),
        "BETA": ("reserve", seen.pre["BETA"]),
    }
    assert {results[a]["proposal_id"] for a in results} == set(seen.full.values())
    expected = {"pre_proposals": 3, "invited": 2, "full_proposals": 2, "funded": 1}
    assert seen.results["stages"]["total"] == expected
    assert seen.results["stages"]["regions"]["CH-FR"] == expected
