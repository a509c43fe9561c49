"""joint_evaluation through its HTTP API, fed with call, proposal and eligibility events: the proposals it
records, the experts, their conflicts, the assignment, the assessments and the consensus.

The helpers here also drive tests/api/test_joint_evaluation_funding.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.joint_evaluation.models import EvaluationEntry, audit_log, messaging
from shared.clock import MovableClock
from shared.events import (
    CallAmended,
    CallSnapshot,
    EligibilityDecided,
    Envelope,
    ProposalSubmitted,
)
from tests.conftest import ServiceClient
from tests.helpers import (
    bearer,
    call_published_envelope,
    decided_event,
    envelope_of,
    proposal_body,
    published_call,
    submitted_event,
    withdrawn_event,
)

AGENCY = bearer("agency")
CRITERIA = ("excellence", "impact", "implementation")

# --- helpers -------------------------------------------------------------------------------------------


async def deliver(app: FastAPI, envelope: Envelope) -> None:
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        if any(key.split(".")[0] == envelope.routing_key.split(".")[0] for key in subscription.routing_keys):
            await subscription.handler(envelope)


async def publish_call(
    app: FastAPI,
    clock: MovableClock,
    *,
    per_proposal: int = 3,
    budgets: dict[str, str] | None = None,
    same_country: bool = False,
) -> CallSnapshot:
    """The Alpine example, with `per_proposal` evaluators per proposal and the given regional budgets."""
    call = published_call(clock)
    assert call.configuration is not None
    config = call.configuration
    policy = config.evaluation.conflict_of_interest.model_copy(update={"same_country": same_country})
    evaluation = config.evaluation.model_copy(
        update={"evaluators_per_proposal": per_proposal, "conflict_of_interest": policy}
    )
    regions = [r.model_copy(update={"budget": Decimal((budgets or {}).get(r.code, r.budget))}) for r in config.regions]
    call = call.model_copy(
        update={"configuration": config.model_copy(update={"evaluation": evaluation, "regions": regions})}
    )
    await deliver(app, call_published_envelope(call, clock))
    return call


async def eligible_proposal(
    app: FastAPI,
    call: CallSnapshot,
    clock: MovableClock,
    body: dict[str, Any] | None = None,
    *,
    outcome: Literal["eligible", "not_eligible"] = "eligible",
    dropped: Iterable[str] = (),
) -> ProposalSubmitted:
    """A submitted proposal and its eligibility decision (partner keys in `dropped` dropped by the policy)."""
    submitted = submitted_event(call, body or proposal_body(), clock)
    await deliver(app, envelope_of(submitted, clock))
    dropped_ids = [p.partner_id for p in submitted.partners if p.key in set(dropped)]
    await deliver(app, envelope_of(decided_event(submitted, clock, outcome=outcome, dropped=dropped_ids), clock))
    return submitted


async def register(
    client: httpx.AsyncClient,
    call: CallSnapshot,
    organisation: str = "Independent Experts Ltd",
    *,
    country: str = "IT",
    max_load: int = 10,
    **extra: Any,
) -> tuple[str, dict[str, str]]:
    """Register an evaluator; its id and its bearer header."""
    body = {
        "name": f"Expert of {organisation}",
        "email": "expert@example.org",
        "organisation": organisation,
        "country": country,
        "max_load": max_load,
        **extra,
    }
    response = await client.post(f"/calls/{call.call_id}/evaluators", json=body, headers=AGENCY)
    assert response.status_code == 201, response.text
    created = response.json()
    return created["evaluator"]["id"], {"Authorization": f"Bearer {created['token']}"}


async def assign(client: httpx.AsyncClient, call: CallSnapshot) -> dict[str, Any]:
    response = await client.post(f"/calls/{call.call_id}/assignment", headers=AGENCY)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def assigned_to_one_expert(
    service_client: ServiceClient, clock: MovableClock
) -> tuple[httpx.AsyncClient, FastAPI, ProposalSubmitted, dict[str, str]]:
    """joint_evaluation with a call of one expert per proposal, one eligible proposal and the expert registered and
    assigned to it: the client, the app, the proposal and the expert's token."""
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, per_proposal=1)
    proposal = await eligible_proposal(app, call, clock)
    _, expert = await register(client, call)
    await assign(client, call)
    return client, app, proposal, expert


def scored(*values: str) -> dict[str, Any]:
    """An assessment body: one score per criterion in the call's order, each justified."""
    return {
        "scores": dict(zip(CRITERIA, values, strict=True)),
        "justifications": {key: f"why {key} deserves it" for key in CRITERIA},
    }


async def assess(client: httpx.AsyncClient, expert: dict[str, str], proposal_id: uuid.UUID | str, *values: str) -> None:
    saved = await client.put(f"/proposals/{proposal_id}/assessment", json=scored(*values), headers=expert)
    assert saved.status_code == 200, saved.text
    submitted = await client.post(f"/proposals/{proposal_id}/assessment/submit", headers=expert)
    assert submitted.status_code == 200, submitted.text


async def evaluate(
    client: httpx.AsyncClient, experts: Iterable[dict[str, str]], proposal_id: uuid.UUID | str, *values: str
) -> None:
    """Every expert gives the same scores; the agency finalises the consensus."""
    for expert in experts:
        await assess(client, expert, proposal_id, *values)
    final = await client.post(f"/proposals/{proposal_id}/consensus/finalise", headers=AGENCY)
    assert final.status_code == 200, final.text


async def emitted(app: FastAPI, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the events of this type in the outbox, oldest first."""
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.id))).scalars()
        envelopes = [Envelope.model_validate_json(row) for row in rows]
    return [e.data for e in envelopes if e.type == event_type]


async def audit_actions(app: FastAPI) -> list[str]:
    async with app.state.runtime.sessions() as session:
        return list((await session.execute(select(audit_log.c.action).order_by(audit_log.c.id))).scalars())


# --- what the service records ---------------------------------------------------------------------------


async def test_evaluation_records_eligibility_in_either_order(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock)
    proposal = submitted_event(call, proposal_body(acronym="ACME"), clock)
    decided = EligibilityDecided(
        proposal_id=proposal.proposal_id,
        call_id=call.call_id,
        proposal_version=1,
        outcome="eligible",
        reasons=[],
        partners=[],
        decided_at=clock.now(),
    )
    await deliver(app, envelope_of(decided, clock))  # the decision overtook the submission
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=AGENCY)).json()["eligibility"] == "pending"
    await deliver(app, envelope_of(proposal, clock))

    entry = (await client.get(f"/proposals/{proposal.proposal_id}", headers=AGENCY)).json()
    assert entry["status"] == "awaiting_evaluation" and entry["acronym"] == "ACME"
    assert [p["organisation_name"] for p in entry["partners"]] == ["Alpha GmbH", "Universite de Fribourg"]
    assert entry["topics"] == ["circular economy"] and entry["partners"][1]["requested_funding"]["currency"] == "CHF"
    listed = (await client.get(f"/calls/{call.call_id}/proposals", headers=AGENCY)).json()
    assert [e["proposal_id"] for e in listed["items"]] == [str(proposal.proposal_id)]
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=bearer("region:AT-4"))).status_code == 403
    assert (await client.get(f"/proposals/{proposal.proposal_id}")).status_code == 401


async def test_a_newer_version_waits_for_its_own_decision_and_a_withdrawn_proposal_drops_out(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock)
    first = await eligible_proposal(app, call, clock)
    newer = submitted_event(call, proposal_body(), clock, version=2, proposal_id=first.proposal_id)
    await deliver(app, envelope_of(newer, clock))
    entry = (await client.get(f"/proposals/{first.proposal_id}", headers=AGENCY)).json()
    assert (entry["proposal_version"], entry["status"]) == (2, "awaiting_eligibility")

    other = await eligible_proposal(app, call, clock, proposal_body(acronym="BETA"))
    withdrawn = withdrawn_event(other.proposal_id, call.call_id, clock)
    await deliver(app, envelope_of(withdrawn, clock))
    assert (await client.get(f"/proposals/{other.proposal_id}", headers=AGENCY)).json()["status"] == "withdrawn"
    for _ in range(3):
        await register(client, call)
    report = await assign(client, call)
    assert report["proposals"] == 0 and report["pairs"] == 0  # neither is in evaluation


async def test_only_a_newer_decision_counts_and_each_one_that_does_bumps_the_revision(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """eligibility.decided in one statement: a correction (decision version + 1) replaces the decision and bumps
    the entry's revision (its version counter, which keys the funding preview); an older or equal one arriving
    late changes nothing."""
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock)
    submitted = await eligible_proposal(app, call, clock)
    path = f"/proposals/{submitted.proposal_id}"

    async def entry() -> tuple[str, list[str], int]:
        async with app.state.runtime.sessions() as session:
            stored = await session.get(EvaluationEntry, str(submitted.proposal_id))
            assert stored is not None
            return stored.eligibility, stored.ineligible_partners, stored.revision

    eligible, _, revision = await entry()
    partner = submitted.partners[0].partner_id
    first = decided_event(submitted, clock)
    verdicts = [p.model_copy(update={"eligible": p.partner_id != partner}) for p in first.partners]
    correction = first.model_copy(
        update={"decision_version": 2, "outcome": "not_eligible", "reasons": ["why"], "partners": verdicts}
    )
    await deliver(app, envelope_of(correction, clock))
    assert await entry() == ("not_eligible", [partner], revision + 1)
    assert (await client.get(path, headers=AGENCY)).json()["eligibility"] == "not_eligible"
    for late in (first, correction.model_copy(update={"outcome": "eligible"})):  # older, then the same version
        await deliver(app, envelope_of(late, clock))
        assert await entry() == ("not_eligible", [partner], revision + 1)
    assert eligible == "eligible"


# --- experts ----------------------------------------------------------------------------------------------


async def test_an_agency_registers_experts_who_get_their_own_token(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock)
    evaluator_id, expert = await register(client, call, expertise=["circular economy"], region_code="IT-25")
    assert (await client.get("/evaluators/me/proposals", headers=expert)).json() == {"items": [], "next_cursor": None}
    listed = (await client.get(f"/calls/{call.call_id}/evaluators", headers=AGENCY)).json()["items"]
    assert [(e["id"], e["region_code"], e["expertise"]) for e in listed] == [
        (evaluator_id, "IT-25", ["circular economy"])
    ]
    token = (await client.post(f"/evaluators/{evaluator_id}/token", headers=AGENCY)).json()["token"]
    assert (
        await client.get("/evaluators/me/proposals", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 200

    body = {"name": "X", "email": "not an email", "organisation": "Y", "country": "Italy", "max_load": 3}
    invalid = await client.post(f"/calls/{call.call_id}/evaluators", json=body, headers=AGENCY)
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"email", "country"}
    valid = {**body, "email": "a@b.eu", "country": "IT"}
    app.state.call_definition_transport = httpx.MockTransport(lambda request: httpx.Response(404))  # no such call
    unknown_call = await client.post(f"/calls/{uuid.uuid4()}/evaluators", json=valid, headers=AGENCY)
    assert unknown_call.status_code == 404
    assert (await client.post(f"/calls/{call.call_id}/evaluators", json=body, headers=expert)).status_code == 403
    assert (await client.get(f"/calls/{call.call_id}/evaluators", headers=bearer("region:AT-4"))).status_code == 403
    assert "evaluator.registered" in await audit_actions(app)


async def test_the_assignment_never_pairs_conflicts_and_says_what_it_could_not_cover(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, same_country=True)
    proposal = await eligible_proposal(app, call, clock)
    fribourg = next(p for p in proposal.partners if p.region_code == "CH-FR")
    colleague, colleague_token = await register(client, call, "ALPHA AG", country="IT")  # Alpha GmbH, another form
    legal_twin, _ = await register(client, call, "Uni FR", country="IT", organisation_legal_id=fribourg.legal_id)
    compatriot, _ = await register(client, call, "Wiener Forschung", country="AT")  # same country, policy on
    clean, clean_token = await register(client, call, country="SI", max_load=1)

    report = await assign(client, call)
    assignment = (await client.get(f"/calls/{call.call_id}/assignment", headers=AGENCY)).json()
    [item] = assignment["items"]
    assert item["evaluator_ids"] == [clean] and item["needed"] == 3
    [shortfall] = report["shortfalls"]
    assert shortfall["assigned"] == 1 and shortfall["reason"] == "only 1 non-conflicted evaluators for 3 places"
    assert item["shortfall"] == shortfall["reason"]
    assert {colleague, legal_twin, compatriot}.isdisjoint(item["evaluator_ids"])
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=colleague_token)).status_code == 404
    mine = (await client.get("/evaluators/me/proposals", headers=clean_token)).json()["items"]
    assert [(p["acronym"], p["assessment"]) for p in mine] == [("ALPHA", "not_started")]


# --- scoring -----------------------------------------------------------------------------------------------


async def test_an_evaluator_sees_only_its_proposals_and_no_other_scores_before_the_consensus(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, per_proposal=2)
    mine = await eligible_proposal(app, call, clock)
    first, first_token = await register(client, call, max_load=1)
    second, second_token = await register(client, call, max_load=1)
    await assign(client, call)
    outsider_proposal = await eligible_proposal(app, call, clock, proposal_body(acronym="LATE"))  # after assignment
    _, late_token = await register(client, call)

    await assess(client, first_token, mine.proposal_id, "4", "4", "4")
    view = (await client.get(f"/proposals/{mine.proposal_id}", headers=second_token)).json()
    assert view["acronym"] == "ALPHA" and view["abstract"] and len(view["partners"]) == 2
    assert view["assessments"] is None and view["consensus"] is None and view["own_assessment"] is None
    assert view["evaluator_ids"] is None and view["conflicts"] is None
    assert (await client.get(f"/proposals/{mine.proposal_id}", headers=late_token)).status_code == 404
    assert (await client.get(f"/proposals/{outsider_proposal.proposal_id}", headers=first_token)).status_code == 404
    agency_view = (await client.get(f"/proposals/{mine.proposal_id}", headers=AGENCY)).json()
    assert sorted(agency_view["evaluator_ids"]) == sorted([first, second])
    assert [a["evaluator_id"] for a in agency_view["assessments"]] == [first]

    await evaluate(client, [second_token], mine.proposal_id, "3", "3.5", "3")
    view = (await client.get(f"/proposals/{mine.proposal_id}", headers=second_token)).json()
    assert view["own_assessment"]["evaluator_id"] == second
    assert {a["evaluator_id"] for a in view["assessments"]} == {first, second}
    assert view["consensus"]["final"] is True and view["status"] == "evaluated"


async def test_a_draft_is_checked_against_the_scale_and_a_submitted_assessment_is_locked(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal, expert = await assigned_to_one_expert(service_client, clock)
    path = f"/proposals/{proposal.proposal_id}/assessment"

    off_step = await client.put(path, json={"scores": {"impact": "3.25", "novelty": "3"}}, headers=expert)
    assert off_step.status_code == 422
    assert {e["field"] for e in off_step.json()["errors"]} == {"scores.impact", "scores.novelty"}
    draft = await client.put(
        path, json={"scores": {"impact": "3.5"}, "justifications": {"impact": "clear"}}, headers=expert
    )
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    incomplete = await client.post(f"{path}/submit", headers=expert)
    assert incomplete.status_code == 422 and incomplete.json()["type"].endswith("/assessment-incomplete")
    assert (
        {e["field"] for e in incomplete.json()["errors"]}
        == set(incomplete.json()["missing"])
        == {
            "scores.excellence",
            "justifications.excellence",
            "scores.implementation",
            "justifications.implementation",
        }
    )
    assert (await client.put(path, json=scored("4", "3.5", "5"), headers=expert)).status_code == 200
    submitted = await client.post(f"{path}/submit", headers=expert)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    locked = await client.put(path, json=scored("1", "1", "1"), headers=expert)
    assert locked.status_code == 409 and locked.json()["type"].endswith("/assessment-submitted")
    assert (await client.post(f"{path}/submit", headers=expert)).status_code == 409
    own = (await client.get(path, headers=expert)).json()
    assert own["scores"] == {"excellence": "4", "impact": "3.5", "implementation": "5"}
    assert (await client.put(path, json=scored("4", "4", "4"), headers=AGENCY)).status_code == 403
    assert {"assessment.saved", "assessment.submitted"} <= set(await audit_actions(app))


async def test_an_amended_scale_counts_at_once_though_the_call_is_kept_parsed(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """The parsed call is kept per stored version: a draft saved on a step of 0.5, then the call amended to a
    step of 1, is checked on submission against the amended scale."""
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, per_proposal=1)
    proposal = await eligible_proposal(app, call, clock)
    _, expert = await register(client, call)
    await assign(client, call)
    path = f"/proposals/{proposal.proposal_id}/assessment"
    assert (await client.put(path, json=scored("4", "3.5", "5"), headers=expert)).status_code == 200

    assert call.configuration is not None
    evaluation = call.configuration.evaluation
    scale = evaluation.scale.model_copy(update={"step": Decimal(1)})
    config = call.configuration.model_copy(update={"evaluation": evaluation.model_copy(update={"scale": scale})})
    amended = call.model_copy(update={"configuration": config, "revision": call.ordering_key + 1})
    await deliver(app, envelope_of(CallAmended(call=amended, kind="scale", reason="whole points"), clock))

    refused = await client.post(f"{path}/submit", headers=expert)
    assert refused.status_code == 422, refused.text
    assert {e["field"] for e in refused.json()["errors"]} == {"scores.impact"}


async def test_a_late_conflict_takes_the_expert_off_discards_its_draft_and_finds_a_replacement(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock, per_proposal=2)
    proposal = await eligible_proposal(app, call, clock)
    first, first_token = await register(client, call, max_load=1)
    second, _ = await register(client, call, max_load=1)
    await assign(client, call)
    spare, spare_token = await register(client, call, max_load=1)  # registered after the assignment
    await client.put(f"/proposals/{proposal.proposal_id}/assessment", json=scored("4", "4", "4"), headers=first_token)

    declared = await client.post(
        f"/proposals/{proposal.proposal_id}/conflicts",
        json={"reason": "I advised Alpha last year"},
        headers=first_token,
    )
    assert declared.status_code == 201, declared.text
    assert declared.json()["unassigned"] is True and declared.json()["replacements"] == [spare]
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=first_token)).status_code == 404
    assert (await client.get("/evaluators/me/proposals", headers=first_token)).json()["items"] == []
    agency_view = (await client.get(f"/proposals/{proposal.proposal_id}", headers=AGENCY)).json()
    assert sorted(agency_view["evaluator_ids"]) == sorted([second, spare])
    assert agency_view["assessments"] == []  # the conflicted draft is gone
    assert [c["evaluator_id"] for c in agency_view["conflicts"]] == [first]
    assert (await client.get(f"/proposals/{proposal.proposal_id}", headers=spare_token)).status_code == 200
    again = await client.post(
        f"/proposals/{proposal.proposal_id}/conflicts", json={"reason": "still conflicted"}, headers=first_token
    )
    assert again.status_code == 200 and again.json()["conflict"]["reason"] == "I advised Alpha last year"
    assert (
        await client.post(f"/proposals/{uuid.uuid4()}/conflicts", json={"reason": "who?"}, headers=first_token)
    ).status_code == 404
    assert {"conflict.declared", "assignment.changed"} <= set(await audit_actions(app))


async def test_the_consensus_is_the_rounded_mean_unless_the_rapporteur_sets_it(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("joint_evaluation")
    call = await publish_call(app, clock)
    proposal = await eligible_proposal(app, call, clock)
    experts = [(await register(client, call))[1] for _ in range(3)]
    await assign(client, call)
    path = f"/proposals/{proposal.proposal_id}"
    await assess(client, experts[0], proposal.proposal_id, "3", "1", "4")
    await assess(client, experts[1], proposal.proposal_id, "3.5", "4.5", "4")
    early = await client.post(f"{path}/consensus/finalise", headers=AGENCY)
    assert early.status_code == 409 and len(early.json()["waiting_for"]) == 1
    await assess(client, experts[2], proposal.proposal_id, "3.5", "4", "4")

    preview = (await client.get(path, headers=AGENCY)).json()["consensus"]
    by_key = {c["criterion_key"]: c for c in preview["criteria"]}
    assert by_key["excellence"]["score"] == "3.5"  # mean 3.333... rounds half up to the step
    assert [d["criterion_key"] for d in preview["divergence"]] == ["impact"]  # 1 to 4.5: more than 2 apart
    invalid = await client.put(
        f"{path}/consensus",
        json={"criteria": {"impact": {"score": "3.3", "justification": "discussed"}}},
        headers=AGENCY,
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "criteria.impact"
    override = {"criteria": {"impact": {"score": "4", "justification": "the panel agreed on 4"}}}
    assert (await client.put(f"{path}/consensus", json=override, headers=AGENCY)).status_code == 200
    final = (await client.post(f"{path}/consensus/finalise", headers=AGENCY)).json()
    scores = {c["criterion_key"]: (c["score"], c["overridden"]) for c in final["criteria"]}
    assert scores == {"excellence": ("3.5", False), "impact": ("4", True), "implementation": ("4", False)}
    assert (await client.put(f"{path}/consensus", json=override, headers=AGENCY)).status_code == 409
    assert (await client.post(f"{path}/consensus/finalise", headers=AGENCY)).status_code == 409
    assert (await client.put(f"{path}/consensus", json=override, headers=experts[0])).status_code == 403
