"""joint_evaluation through its HTTP API: the ranking list, the funding by the virtual common pot, the regions'
confirmations and declines, and the consolidated results.

The scenario: budgets AT-4 250,000 EUR and CH-FR 200,000 CHF (1 CHF = 1.05 EUR); two experts per proposal.

    rank  proposal  asks                                   walk
    1     ALPHA     AT-4 100,000 EUR, CH-FR 120,000 CHF   funded
    2     BETA      AT-4 100,000 EUR, CH-FR 120,000 CHF   reserve: CH-FR has 80,000 CHF left
    3     GAMMA     AT-4 100,000 EUR (a dropped partner    funded
                    and a self-funded one ask nothing)
    -     DELTA     fails the impact and overall thresholds
    -     EPSILON   not eligible
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from shared.clock import MovableClock
from shared.events import CallSnapshot, ProposalSubmitted, ProposalWithdrawn
from tests.api.test_joint_evaluation_api import (
    AGENCY,
    audit_actions,
    deliver,
    eligible_proposal,
    emitted,
    evaluate,
    publish_call,
    register,
)
from tests.conftest import ServiceClient
from tests.helpers import bearer, envelope_of, partner, proposal_body

AUSTRIA, FRIBOURG, BAVARIA = bearer("region:AT-4"), bearer("region:CH-FR"), bearer("region:DE-BY")


@dataclass
class Scenario:
    client: httpx.AsyncClient
    app: FastAPI
    call_id: str
    alpha: ProposalSubmitted
    beta: ProposalSubmitted
    gamma: ProposalSubmitted
    call: CallSnapshot


def gamma_body() -> dict[str, Any]:
    return proposal_body(
        partner("Gamma GmbH", "AT-4", role="coordinator"),
        partner("Dropped KG", "AT-4", requested="30000.00"),
        partner("Outside SAS", "FR-IDF", requested="40000.00"),  # not a region of the call: self-funded
        acronym="GAMMA",
    )


async def evaluated(service_client: ServiceClient, clock: MovableClock, *, complete: bool = True) -> Scenario:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, per_proposal=2, budgets={"AT-4": "250000", "CH-FR": "200000"})
    alpha = await eligible_proposal(app, call, clock, proposal_body(acronym="ALPHA"))
    beta = await eligible_proposal(app, call, clock, proposal_body(acronym="BETA"))
    gamma = await eligible_proposal(app, call, clock, gamma_body(), dropped=["p2"])
    delta = await eligible_proposal(app, call, clock, proposal_body(acronym="DELTA"))
    await eligible_proposal(app, call, clock, proposal_body(acronym="EPSILON"), outcome="not_eligible")
    experts = [(await register(client, call, country=country))[1] for country in ("IT", "SI")]
    assert (await client.post(f"/calls/{call.call_id}/assignment", headers=AGENCY)).status_code == 200
    for proposal, score in ((alpha, "4.5"), (beta, "4"), (gamma, "3.5")):
        await evaluate(client, experts, proposal.proposal_id, score, score, score)
    await evaluate(client, experts, delta.proposal_id, "3", "2.5", "3")
    if complete:
        assert (await client.post(f"/calls/{call.call_id}/ranking/complete", headers=AGENCY)).status_code == 200
    return Scenario(client, app, str(call.call_id), alpha, beta, gamma, call)


def statuses(funding: dict[str, Any]) -> dict[str, str]:
    return {p["acronym"]: p["status"] for p in funding["proposals"]}


def region(funding: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in funding["regions"] if r["region_code"] == code)
    return found


async def decide(s: Scenario) -> dict[str, Any]:
    response = await s.client.post(f"/calls/{s.call_id}/funding", headers=AGENCY)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def withdraw_alpha(s: Scenario, clock: MovableClock) -> None:
    withdrawn = ProposalWithdrawn(
        proposal_id=s.alpha.proposal_id,
        call_id=s.alpha.call_id,
        applicant_id="acme",
        withdrawn_at=clock.now(),
        reason="consortium dissolved",
    )
    await deliver(s.app, envelope_of(withdrawn, clock))


async def answer(s: Scenario, token: dict[str, str], code: str, **body: Any) -> httpx.Response:
    return await s.client.post(f"/calls/{s.call_id}/funding/regions/{code}/confirmation", json=body, headers=token)


async def test_the_ranking_lists_failing_and_ineligible_proposals_with_reasons_and_completion_fixes_it(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock, complete=False)
    ranking = (await s.client.get(f"/calls/{s.call_id}/ranking", headers=AGENCY)).json()
    assert ranking["completed_at"] is None and ranking["pending_consensus"] == []
    lines = [(r["acronym"], r["status"], r["rank"]) for r in ranking["items"]]
    assert lines == [
        ("ALPHA", "passed", 1),
        ("BETA", "passed", 2),
        ("GAMMA", "passed", 3),
        ("DELTA", "not_passed", None),
        ("EPSILON", "ineligible", None),
    ]
    alpha, *_, delta, epsilon = ranking["items"]
    assert (alpha["unweighted_total"], alpha["weighted_total"]) == ("13.5", "15.75")
    assert delta["reasons"] == ["Impact 2.5 below threshold 3", "Total 8.5 below overall threshold 10"]
    assert epsilon["reasons"] == ["a partner is not eligible"] and epsilon["scores"] == {}
    first_page = (await s.client.get(f"/calls/{s.call_id}/ranking", params={"limit": 2}, headers=AGENCY)).json()
    second_page = (
        await s.client.get(
            f"/calls/{s.call_id}/ranking", params={"limit": 2, "cursor": first_page["next_cursor"]}, headers=AGENCY
        )
    ).json()
    assert [r["acronym"] for r in first_page["items"] + second_page["items"]] == ["ALPHA", "BETA", "GAMMA", "DELTA"]
    assert (await s.client.post(f"/calls/{s.call_id}/funding", headers=AGENCY)).status_code == 409  # not complete

    completed = (await s.client.post(f"/calls/{s.call_id}/ranking/complete", headers=AGENCY)).json()
    assert (completed["passed"], completed["not_passed"], completed["ineligible"]) == (3, 1, 1)
    [event] = await emitted(s.app, "evaluation.completed.v1")
    assert [line["acronym"] for line in event["ranking"]] == ["ALPHA", "BETA", "GAMMA", "DELTA", "EPSILON"]
    assert (await s.client.post(f"/calls/{s.call_id}/ranking/complete", headers=AGENCY)).status_code == 409
    late = await s.client.put(f"/proposals/{s.alpha.proposal_id}/consensus", json={"criteria": {}}, headers=AGENCY)
    assert late.status_code == 409
    assert (await s.client.get(f"/calls/{s.call_id}/ranking", headers=FRIBOURG)).status_code == 403


async def test_completion_waits_for_every_consensus(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, per_proposal=1)
    proposal = await eligible_proposal(app, call, clock)
    refused = await client.post(f"/calls/{call.call_id}/ranking/complete", headers=AGENCY)
    assert refused.status_code == 409 and refused.json()["pending_consensus"] == [str(proposal.proposal_id)]
    assert await emitted(app, "evaluation.completed.v1") == []


async def test_each_region_funds_its_own_partners_down_the_ranking_and_simulate_changes_nothing(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    funding = await decide(s)
    assert funding["funding_version"] == 1 and funding["final"] is False
    assert statuses(funding) == {"ALPHA": "funded", "BETA": "reserve", "GAMMA": "funded"}
    beta, gamma = funding["proposals"][1:]
    assert beta["shortfall"] == [{"region_code": "CH-FR", "amount": "40000.00", "currency": "CHF"}]
    assert gamma["requested"] == [{"region_code": "AT-4", "amount": "100000.00", "currency": "EUR"}]
    austria, fribourg = region(funding, "AT-4"), region(funding, "CH-FR")
    assert (austria["allocated"]["amount"], austria["remaining"]["amount"]) == ("200000.00", "50000.00")
    assert austria["funding_gap"]["amount"] == "50000.00" and fribourg["funding_gap"]["amount"] == "40000.00"
    assert fribourg["allocated_reporting"] == {"amount": "126000.00", "currency": "EUR"}
    assert [e["funding_version"] for e in await emitted(s.app, "funding.decided.v1")] == [1]

    top_ups = {"top_ups": {"AT-4": "50000.00", "CH-FR": "40000.00"}}
    what_if = (await s.client.post(f"/calls/{s.call_id}/funding/simulate", json=top_ups, headers=AGENCY)).json()
    assert statuses(what_if) == {"ALPHA": "funded", "BETA": "funded", "GAMMA": "funded"}
    assert region(what_if, "CH-FR")["remaining"]["amount"] == "0.00"
    assert (await s.client.get(f"/calls/{s.call_id}/funding", headers=AGENCY)).json() == funding
    assert len(await emitted(s.app, "funding.decided.v1")) == 1
    # view=line: every outcome without amounts, the amounts only around the funding line (here: all three)
    line = (await s.client.get(f"/calls/{s.call_id}/funding?view=line", headers=AGENCY)).json()
    assert funding["outcomes"] is None and line["proposals"] == funding["proposals"]
    assert [(o["acronym"], o["status"]) for o in line["outcomes"]] == [
        (p["acronym"], p["status"]) for p in funding["proposals"]
    ]
    assert "requested" not in line["outcomes"][0] and line["regions"] == funding["regions"]
    simulated_line = await s.client.post(f"/calls/{s.call_id}/funding/simulate?view=line", json=top_ups, headers=AGENCY)
    assert [o["status"] for o in simulated_line.json()["outcomes"]] == ["funded"] * 3
    assert simulated_line.json()["proposals"] == what_if["proposals"]  # all three are around the line, amounts too
    unknown = await s.client.post(
        f"/calls/{s.call_id}/funding/simulate", json={"top_ups": {"XX-1": "1.00"}}, headers=AGENCY
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "top_ups.XX-1"
    negative = {"top_ups": {"AT-4": "-1"}}
    assert (
        await s.client.post(f"/calls/{s.call_id}/funding/simulate", json=negative, headers=AGENCY)
    ).status_code == 422

    own = (await s.client.get(f"/calls/{s.call_id}/funding", headers=FRIBOURG)).json()
    assert [r["region_code"] for r in own["regions"]] == ["CH-FR"] and own["totals"] is None
    assert statuses(own) == {"ALPHA": "funded", "BETA": "reserve"}  # GAMMA asks Fribourg for nothing
    assert {a["region_code"] for p in own["proposals"] for a in p["requested"]} == {"CH-FR"}
    assert (await s.client.get(f"/calls/{s.call_id}/funding", headers=bearer("region:XX-9"))).status_code == 404
    assert (await s.client.get(f"/calls/{s.call_id}/funding", headers=bearer("consortium:acme"))).status_code == 403


async def test_a_decline_redoes_the_walk_and_frees_the_budget_for_a_proposal_below(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    await decide(s)
    assert (await answer(s, AUSTRIA, "AT-4", decision="confirm")).status_code == 200
    incomplete = await answer(s, FRIBOURG, "CH-FR", decision="decline", reason="no state aid left")
    assert incomplete.status_code == 422 and incomplete.json()["errors"][0]["field"] == "proposal_id"
    stale = await answer(s, FRIBOURG, "CH-FR", decision="confirm", funding_version=7)
    assert stale.status_code == 409

    declined = await answer(
        s, FRIBOURG, "CH-FR", decision="decline", proposal_id=str(s.alpha.proposal_id), reason="partner insolvent"
    )
    assert declined.status_code == 200, declined.text
    after = (await s.client.get(f"/calls/{s.call_id}/funding", headers=AGENCY)).json()
    assert after["funding_version"] == 2 and after["trigger"] == "decline"
    assert statuses(after) == {"ALPHA": "declined", "BETA": "funded", "GAMMA": "funded"}
    assert after["proposals"][0]["declined_by"] == ["CH-FR"]
    assert region(after, "CH-FR")["allocated"]["amount"] == "120000.00"  # BETA's, freed by ALPHA
    events = await emitted(s.app, "funding.decided.v1")
    assert [(e["funding_version"], e["trigger"]) for e in events] == [(1, "run"), (2, "decline")]
    confirmations = {c["region_code"]: c["confirmed"] for c in after["confirmations"] if c["funds_partners"]}
    assert confirmations == {"AT-4": False, "CH-FR": False}  # Austria's part changed: ALPHA out, BETA in
    again = await answer(s, FRIBOURG, "CH-FR", decision="decline", proposal_id=str(s.alpha.proposal_id), reason="twice")
    assert again.status_code == 409
    not_ours = await answer(
        s, FRIBOURG, "CH-FR", decision="decline", proposal_id=str(s.gamma.proposal_id), reason="x1y"
    )
    assert not_ours.status_code == 404  # GAMMA has no partner funded by Fribourg
    assert (await answer(s, FRIBOURG, "AT-4", decision="confirm")).status_code == 404
    assert (await answer(s, AGENCY, "AT-4", decision="confirm")).status_code == 403
    assert {"funding.confirmed", "funding.declined", "funding.decided.decline"} <= set(await audit_actions(s.app))


async def test_a_withdrawal_after_the_decisions_walks_the_proposal_out(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    await decide(s)
    await withdraw_alpha(s, clock)
    after = (await s.client.get(f"/calls/{s.call_id}/funding", headers=AGENCY)).json()
    assert (after["funding_version"], after["trigger"]) == (2, "withdrawal")
    assert statuses(after) == {"BETA": "funded", "GAMMA": "funded"}
    results = (await s.client.get(f"/calls/{s.call_id}/results", headers=AGENCY)).json()
    assert "ALPHA" not in {line["acronym"] for line in results["results"]}


async def test_results_are_final_once_every_funding_region_confirmed_then_published(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    assert (await s.client.get(f"/calls/{s.call_id}/results", headers=AGENCY)).status_code == 404  # no funding yet
    await decide(s)
    refused = await s.client.post(f"/calls/{s.call_id}/results/publish", headers=AGENCY)
    assert refused.status_code == 409 and refused.json()["waiting_for"] == ["AT-4", "CH-FR"]
    for token, code in ((AUSTRIA, "AT-4"), (FRIBOURG, "CH-FR")):
        assert (await answer(s, token, code, decision="confirm", funding_version=1)).status_code == 200

    results = (await s.client.get(f"/calls/{s.call_id}/results", headers=AGENCY)).json()
    assert results["final"] is True and results["published_at"] is None
    lines = [(r["acronym"], r["status"], r["rank"]) for r in results["results"]]
    assert lines == [
        ("ALPHA", "funded", 1),
        ("BETA", "reserve", 2),
        ("GAMMA", "funded", 3),
        ("DELTA", "not_passed", None),
        ("EPSILON", "ineligible", None),
    ]
    assert results["results"][0]["grants"][1] == {
        "region_code": "CH-FR",
        "amount": "120000.00",
        "currency": "CHF",
    }
    assert results["results"][1]["grants"] == []
    assert results["totals"]["allocated"] == {"amount": "326000.00", "currency": "EUR"}  # 200,000 + 120,000 x 1.05

    csv = await s.client.get(f"/calls/{s.call_id}/results.csv", headers=AGENCY)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.splitlines()
    assert rows[0].startswith(
        "rank,acronym,proposal_id,status,excellence,impact,implementation,weighted_total,AT-4 (EUR)"
    )
    assert rows[1].startswith(f"1,ALPHA,{s.alpha.proposal_id},funded,4.5,4.5,4.5,15.75,100000.00,")
    assert "AT-4,EUR,250000.00,200000.00,50000.00,50000.00,250000.00,200000.00,50000.00,50000.00" in rows
    assert "CH-FR,CHF,200000.00,120000.00,80000.00,40000.00,210000.00,126000.00,84000.00,42000.00" in rows
    assert rows[-1].startswith("total,EUR,,,,,") and rows[-1].split(",")[7] == "326000.00"

    published = await s.client.post(f"/calls/{s.call_id}/results/publish", headers=AGENCY)
    assert published.status_code == 200 and published.json()["published_at"] is not None
    [event] = await emitted(s.app, "results.published.v1")
    assert [line["status"] for line in event["results"]] == ["funded", "reserve", "funded", "not_passed", "ineligible"]
    assert (await s.client.post(f"/calls/{s.call_id}/results/publish", headers=AGENCY)).status_code == 409
    assert (await s.client.post(f"/calls/{s.call_id}/funding", headers=AGENCY)).status_code == 409
    late = await answer(s, AUSTRIA, "AT-4", decision="decline", proposal_id=str(s.gamma.proposal_id), reason="too late")
    assert late.status_code == 409
    assert (await s.client.get(f"/calls/{s.call_id}/results", headers=AUSTRIA)).status_code == 403


async def test_once_published_a_consortium_reads_its_own_result_and_anyone_the_funded_list(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    owner, other = bearer("consortium:acme"), bearer("consortium:someone-else")  # acme submitted every proposal
    own = f"/proposals/{s.beta.proposal_id}/result"
    public = f"/calls/{s.call_id}/results/published"
    await decide(s)
    for token, code in ((AUSTRIA, "AT-4"), (FRIBOURG, "CH-FR")):
        assert (await answer(s, token, code, decision="confirm", funding_version=1)).status_code == 200
    # Final but not published: nothing for the consortium, nothing in public.
    assert (await s.client.get(own, headers=owner)).status_code == 404
    assert (await s.client.get(public)).status_code == 404
    assert (await s.client.post(f"/calls/{s.call_id}/results/publish", headers=AGENCY)).status_code == 200

    beta = (await s.client.get(own, headers=owner)).json()
    assert (beta["acronym"], beta["status"], beta["rank"], beta["reserve_position"]) == ("BETA", "reserve", 2, 1)
    assert beta["grants"] == [] and beta["weighted_total"] == "14" and beta["scores"]["impact"] == "4"
    assert beta["shortfall"] == [{"region_code": "CH-FR", "amount": "40000.00", "currency": "CHF"}]  # 80,000 left
    alpha = (await s.client.get(f"/proposals/{s.alpha.proposal_id}/result", headers=owner)).json()
    assert (alpha["status"], alpha["rank"], alpha["reserve_position"]) == ("funded", 1, None)
    assert alpha["grants"] == [
        {"region_code": "AT-4", "amount": "100000.00", "currency": "EUR"},
        {"region_code": "CH-FR", "amount": "120000.00", "currency": "CHF"},
    ]
    ranking = (await s.client.get(f"/calls/{s.call_id}/ranking", headers=AGENCY)).json()["items"]
    delta_id = next(r["proposal_id"] for r in ranking if r["acronym"] == "DELTA")
    delta = (await s.client.get(f"/proposals/{delta_id}/result", headers=owner)).json()
    assert delta["status"] == "not_passed" and delta["rank"] is None
    assert any("below threshold" in reason for reason in delta["reasons"])

    assert (await s.client.get(own, headers=other)).status_code == 404  # another consortium's: as if not there
    for token in (AUSTRIA, AGENCY):
        assert (await s.client.get(own, headers=token)).status_code == 403
    assert (await s.client.get(own)).status_code == 401

    listed = (await s.client.get(public)).json()  # no token needed
    assert [(line["rank"], line["acronym"]) for line in listed["funded"]] == [(1, "ALPHA"), (3, "GAMMA")]
    assert listed["counts"] == {"funded": 2, "reserve": 1, "declined": 0, "not_passed": 1, "ineligible": 1}
    assert listed["allocated"] == {"amount": "326000.00", "currency": "EUR"}
    assert "BETA" not in str(listed) and "funding_gap" not in str(listed) and "proposal_id" not in str(listed)
