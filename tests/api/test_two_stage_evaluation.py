"""joint_evaluation in a two-stage call: stage-1 scoring on the stage-1 criteria, each region's go / no-go, the
shortlist under the regions' caps with what-if, the agency's decision, the regions' confirmations and the
invitations published.

The scenario: budgets AT-4 100,000 EUR and CH-FR 100,000 CHF; factor 3, CH-FR 2.5 (caps 300,000 EUR and
250,000 CHF); every pre-proposal asks AT-4 100,000 EUR and CH-FR 120,000 CHF; two experts score Excellence and
Impact only (stage-1 overall threshold 6.67).

    rank  pre-proposal  scores     walk
    1     ALPHA         4.5 4.5    invited (CH-FR 120,000)
    2     BETA          4   4      invited (CH-FR 240,000)
    3     GAMMA         3.5 3.5    CH-FR's cap reached (360,000 > 250,000)
    -     DELTA         3   2.5    below the Impact threshold
    -     EPSILON       -          not eligible
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.joint_evaluation.models import call_copies
from shared.clock import MovableClock
from shared.events import CallSnapshot, ProposalSubmitted
from shared.readmodel import load_call_copy
from tests.api.test_joint_evaluation_api import (
    AGENCY,
    deliver,
    eligible_proposal,
    emitted,
    evaluate,
    publish_call,
    register,
)
from tests.api.test_joint_evaluation_funding import AUSTRIA, BAVARIA, FRIBOURG
from tests.conftest import ServiceClient
from tests.helpers import (
    call_published_envelope,
    decided_event,
    envelope_of,
    partner,
    proposal_body,
    submitted_event,
    two_stage_snapshot,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Scenario:
    client: httpx.AsyncClient
    app: FastAPI
    call_id: str
    pre: dict[str, ProposalSubmitted]
    experts: list[dict[str, str]]


async def two_stage_call(app: FastAPI, clock: MovableClock) -> CallSnapshot:
    call = await publish_call(app, clock, budgets={"AT-4": "100000", "CH-FR": "100000"})
    assert call.configuration is not None
    full_opens = call.configuration.deadline - (call.configuration.deadline - clock.now()) / 2
    call = two_stage_snapshot(call, pre_deadline=clock.now(), full_opens=full_opens, revision=3)
    await deliver(app, call_published_envelope(call, clock))
    return call


async def assess(client: httpx.AsyncClient, expert: dict[str, str], proposal_id: uuid.UUID, *values: str) -> None:
    keys = ("excellence", "impact")  # the stage-1 criteria
    body = {"scores": dict(zip(keys, values, strict=True)), "justifications": {k: f"why {k}" for k in keys}}
    saved = await client.put(f"/proposals/{proposal_id}/assessment", json=body, headers=expert)
    assert saved.status_code == 200, saved.text
    submitted = await client.post(f"/proposals/{proposal_id}/assessment/submit", headers=expert)
    assert submitted.status_code == 200, submitted.text


async def stage_one(service_client: ServiceClient, clock: MovableClock) -> Scenario:
    client, app = await service_client("joint_evaluation")
    call = await two_stage_call(app, clock)
    pre = {
        name: await eligible_proposal(app, call, clock, proposal_body(acronym=name))
        for name in ("ALPHA", "BETA", "GAMMA", "DELTA")
    }
    pre["EPSILON"] = await eligible_proposal(app, call, clock, proposal_body(acronym="EPSILON"), outcome="not_eligible")
    experts = [(await register(client, call, country=country))[1] for country in ("IT", "SI")]
    assignment = await client.post(f"/calls/{call.call_id}/assignment", headers=AGENCY)
    assert assignment.status_code == 200, assignment.text
    for name, values in (
        ("ALPHA", ("4.5", "4.5")),
        ("BETA", ("4", "4")),
        ("GAMMA", ("3.5", "3.5")),
        ("DELTA", ("3", "2.5")),
    ):
        for expert in experts:
            await assess(client, expert, pre[name].proposal_id, *values)
        final = await client.post(f"/proposals/{pre[name].proposal_id}/consensus/finalise", headers=AGENCY)
        assert final.status_code == 200, final.text
    return Scenario(client, app, str(call.call_id), pre, experts)


def by_acronym(shortlist: dict[str, Any]) -> dict[str, str]:
    return {line["acronym"]: line["status"] for line in shortlist["proposals"]}


def region(shortlist: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in shortlist["regions"] if r["region_code"] == code)
    return found


async def test_the_shortlist_walks_the_stage_1_ranking_under_each_regions_cap(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await stage_one(service_client, clock)
    response = await s.client.get(f"/calls/{s.call_id}/shortlist", headers=AGENCY)
    assert response.status_code == 200, response.text
    shortlist = response.json()
    assert by_acronym(shortlist) == {
        "ALPHA": "invited",
        "BETA": "invited",
        "GAMMA": "cap_reached",
        "DELTA": "below_threshold",
    }
    gamma = next(line for line in shortlist["proposals"] if line["acronym"] == "GAMMA")
    assert gamma["reasons"] == ["Region CH-FR's cap reached"]
    assert shortlist["cap_reached"] == [str(s.pre["GAMMA"].proposal_id)]
    assert shortlist["ineligible"] == [str(s.pre["EPSILON"].proposal_id)]
    fribourg = region(shortlist, "CH-FR")
    assert (Decimal(fribourg["cap"]), Decimal(fribourg["requested"]), Decimal(fribourg["factor_reached"])) == (
        Decimal(250000),
        Decimal(240000),
        Decimal("2.40"),
    )
    assert fribourg["cap_reached_proposals"] == 1 and Decimal(fribourg["requested_reporting"]) == Decimal(252000)
    assert Decimal(region(shortlist, "AT-4")["factor_reached"]) == Decimal(2)
    assert shortlist["pending"] == []


async def test_what_if_more_budget_invites_the_capped_proposal_and_changes_nothing(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await stage_one(service_client, clock)
    what_if = await s.client.post(
        f"/calls/{s.call_id}/shortlist/simulate", json={"budgets": {"CH-FR": "150000"}}, headers=AGENCY
    )
    assert what_if.status_code == 200, what_if.text
    assert by_acronym(what_if.json())["GAMMA"] == "invited"  # cap 375,000 CHF
    higher = await s.client.post(f"/calls/{s.call_id}/shortlist/simulate", json={"factor": "1"}, headers=AGENCY)
    assert by_acronym(higher.json())["BETA"] == "cap_reached"  # factor 1 for AT-4 (CH-FR keeps its 2.5)
    assert (
        by_acronym((await s.client.get(f"/calls/{s.call_id}/shortlist", headers=AGENCY)).json())["GAMMA"]
        == "cap_reached"
    )
    unknown = await s.client.post(
        f"/calls/{s.call_id}/shortlist/simulate", json={"budgets": {"PL-MZ": "1"}}, headers=AGENCY
    )
    assert unknown.status_code == 422


async def test_a_regions_no_go_excludes_a_proposal_with_its_reason_and_frees_its_cap(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await stage_one(service_client, clock)
    beta = s.pre["BETA"].proposal_id
    refused = await s.client.put(f"/proposals/{beta}/fit", json={"go": False, "reason": "no fit"}, headers=BAVARIA)
    assert refused.status_code == 404  # Bavaria has no partner in it
    fit = await s.client.put(
        f"/proposals/{beta}/fit", json={"go": False, "reason": "outside our S3 priorities"}, headers=AUSTRIA
    )
    assert fit.status_code == 200, fit.text
    shortlist = (await s.client.get(f"/calls/{s.call_id}/shortlist", headers=AGENCY)).json()
    assert by_acronym(shortlist) == {
        "ALPHA": "invited",
        "BETA": "no_go",
        "GAMMA": "invited",
        "DELTA": "below_threshold",
    }
    line = next(line for line in shortlist["proposals"] if line["acronym"] == "BETA")
    assert line["reasons"] == ["Region AT-4 said no-go: outside our S3 priorities"]


async def test_the_agency_decides_the_regions_confirm_and_the_invitations_are_published(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await stage_one(service_client, clock)
    decided = await s.client.post(f"/calls/{s.call_id}/shortlist", json={}, headers=AGENCY)
    assert decided.status_code == 200, decided.text
    assert decided.json()["invited"] == 2 and decided.json()["published_at"] is None
    assert set(decided.json()["confirmations"]) == {"AT-4", "CH-FR"}
    assert await emitted(s.app, "invitations.published.v1") == []
    not_theirs = await s.client.post(f"/calls/{s.call_id}/shortlist/regions/CH-FR/confirmation", headers=AUSTRIA)
    assert not_theirs.status_code == 404
    await s.client.post(f"/calls/{s.call_id}/shortlist/regions/AT-4/confirmation", headers=AUSTRIA)
    assert await emitted(s.app, "invitations.published.v1") == []
    last = await s.client.post(f"/calls/{s.call_id}/shortlist/regions/CH-FR/confirmation", headers=FRIBOURG)
    assert last.status_code == 200, last.text
    assert last.json()["published_at"] is not None
    (published,) = await emitted(s.app, "invitations.published.v1")
    outcomes = {line["acronym"]: (line["status"], line["reasons"]) for line in published["outcomes"]}
    assert outcomes["ALPHA"] == ("invited", [])
    assert outcomes["GAMMA"] == ("cap_reached", ["Region CH-FR's cap reached"])
    assert outcomes["DELTA"][0] == "below_threshold" and "Impact 2.5 below threshold 3" in outcomes["DELTA"][1]
    assert outcomes["EPSILON"][0] == "ineligible"
    assert all(line["applicant_id"] == "acme" for line in published["outcomes"])
    final = await s.client.post(f"/calls/{s.call_id}/shortlist", json={}, headers=AGENCY)
    assert final.status_code == 409  # published: final


async def test_a_one_stage_call_has_no_shortlist(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock)
    response = await client.get(f"/calls/{call.call_id}/shortlist", headers=AGENCY)
    assert response.status_code == 409


async def test_stage_2_runs_as_a_one_stage_call_and_the_results_link_and_count_both_stages(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await stage_one(service_client, clock)
    await s.client.post(f"/calls/{s.call_id}/shortlist", json={}, headers=AGENCY)
    for token, code in ((AUSTRIA, "AT-4"), (FRIBOURG, "CH-FR")):
        await s.client.post(f"/calls/{s.call_id}/shortlist/regions/{code}/confirmation", headers=token)
    call = await two_stage_call_copy(s)
    # The invited ALPHA and BETA come back as full proposals asking half their indicative figures.
    full = {}
    for name in ("ALPHA", "BETA"):
        body = proposal_body(
            partner("Alpha GmbH", "AT-4", role="coordinator", requested="50000.00"),
            partner("Universite de Fribourg", "CH-FR", currency="CHF", kind="university", requested="60000.00"),
            acronym=name,
        )
        submitted = submitted_event(call, body, clock).model_copy(
            update={"stage": 2, "pre_proposal_id": s.pre[name].proposal_id}
        )
        await deliver(s.app, envelope_of(submitted, clock))
        await decide_eligible(s.app, call, submitted, clock)
        full[name] = submitted
    experts = [(await register(s.client, call, f"Panel {c}", country=c))[1] for c in ("AT", "FR", "DE")]
    assignment = await s.client.post(f"/calls/{s.call_id}/assignment", headers=AGENCY)
    assert assignment.status_code == 200, assignment.text
    for name, score in (("ALPHA", "4.5"), ("BETA", "4")):
        proposal_id = full[name].proposal_id
        assigned = [e for e in [*s.experts, *experts] if await sees(s.client, e, proposal_id)]
        assert len(assigned) == 3  # the call's full panel, not stage 1's two
        await evaluate(s.client, assigned, proposal_id, score, score, score)
    completed = await s.client.post(f"/calls/{s.call_id}/ranking/complete", headers=AGENCY)
    assert completed.status_code == 200, completed.text
    ranking = (await s.client.get(f"/calls/{s.call_id}/ranking", headers=AGENCY)).json()
    assert [line["acronym"] for line in ranking["items"]] == ["ALPHA", "BETA"]  # full proposals only
    assert (await s.client.post(f"/calls/{s.call_id}/funding", headers=AGENCY)).status_code == 200
    for token, code in ((AUSTRIA, "AT-4"), (FRIBOURG, "CH-FR")):
        confirmed = await s.client.post(
            f"/calls/{s.call_id}/funding/regions/{code}/confirmation", json={"decision": "confirm"}, headers=token
        )
        assert confirmed.status_code == 200, confirmed.text
    published = await s.client.post(f"/calls/{s.call_id}/results/publish", headers=AGENCY)
    assert published.status_code == 200, published.text
    (event,) = await emitted(s.app, "results.published.v1")
    lines = {line["acronym"]: (line["status"], line["pre_proposal_id"]) for line in event["results"]}
    assert lines == {
        "ALPHA": ("funded", str(s.pre["ALPHA"].proposal_id)),
        "BETA": ("reserve", str(s.pre["BETA"].proposal_id)),  # CH-FR has 40,000 CHF left of 100,000
    }
    expected = {"pre_proposals": 5, "invited": 2, "full_proposals": 2, "funded": 1}
    assert event["stages"]["total"] == expected
    assert event["stages"]["regions"]["AT-4"] == expected == event["stages"]["regions"]["CH-FR"]
    assert event["stages"]["regions"]["DE-BY"] == {"pre_proposals": 0, "invited": 0, "full_proposals": 0, "funded": 0}


async def two_stage_call_copy(s: Scenario) -> CallSnapshot:
    async with s.app.state.runtime.sessions() as session:
        call = await load_call_copy(session, call_copies, s.call_id)
    assert call is not None
    return call


async def decide_eligible(app: FastAPI, call: CallSnapshot, submitted: ProposalSubmitted, clock: MovableClock) -> None:
    await deliver(app, envelope_of(decided_event(submitted, clock), clock))


async def sees(client: httpx.AsyncClient, expert: dict[str, str], proposal_id: uuid.UUID) -> bool:
    mine = (await client.get("/evaluators/me/proposals", headers=expert)).json()["items"]
    return str(proposal_id) in {item["proposal_id"] for item in mine}
