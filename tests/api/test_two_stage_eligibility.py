"""regional_eligibility in a two-stage call: pre-proposals are checked when stage 1 closes, on their indicative
figures, by the stage-1 rule set only; full proposals when the call closes, by every rule."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from shared.clock import MovableClock
from shared.events import CallSnapshot, CallStatusChanged, make_envelope
from tests.api.test_regional_eligibility_api import decided_events, deliver
from tests.conftest import ServiceClient
from tests.helpers import (
    bearer,
    call_published_envelope,
    envelope_of,
    partner,
    proposal_body,
    submitted_event,
    two_stage_published_call,
)

AUSTRIA = bearer("region:AT-4")


async def two_stage_call(app: FastAPI, clock: MovableClock) -> CallSnapshot:
    call = two_stage_published_call(clock)
    await deliver(app, call_published_envelope(call, clock))
    return call


async def stage_one_closes(app: FastAPI, call: CallSnapshot, clock: MovableClock) -> None:
    """The clock passes the pre-proposal deadline: call_definition announces the status change."""
    assert call.configuration is not None
    clock.set(call.configuration.stages[0].deadline + timedelta(minutes=1))
    between = call.model_copy(update={"status": "published", "revision": 3})
    event = CallStatusChanged(call=between, previous_status="open")
    await deliver(app, make_envelope(event, source="call_definition", subject=str(call.call_id), clock=clock))


# Upper Austria funds SMEs at 50% at most: 190,000 of 200,000 breaks its funding-rate rule, which the Alpine
# two-stage call does not apply at stage 1 (nor Upper Austria's manual check of financial viability).
GREEDY = proposal_body(
    partner("Alpha GmbH", "AT-4", role="coordinator", requested="190000.00"),
    partner("Universite de Fribourg", "CH-FR", currency="CHF", kind="university", requested="120000.00"),
)


async def test_a_pre_proposal_is_judged_at_stage_1s_close_by_the_stage_1_rules_only(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call = await two_stage_call(app, clock)
    pre = submitted_event(call, GREEDY, clock)
    await deliver(app, envelope_of(pre, clock))
    assert await decided_events(app) == []  # stage 1 still open
    await stage_one_closes(app, call, clock)
    (decided,) = await decided_events(app)
    assert (decided.proposal_id, decided.outcome) == (pre.proposal_id, "eligible")
    rules = {check["rule"] for check in (await client.get("/checks", headers=AUSTRIA)).json()["items"]}
    assert "regional.organisation_type" in rules
    assert not rules & {"regional.funding_rate", "regional.manual_check", "regional.cost_cap"}


async def test_a_pre_proposal_breaking_a_stage_1_rule_is_not_eligible(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    _, app = await service_client("regional_eligibility")
    call = await two_stage_call(app, clock)
    lonely = proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"))  # one region: min 2
    pre = submitted_event(call, lonely, clock)
    await deliver(app, envelope_of(pre, clock))
    await stage_one_closes(app, call, clock)
    (decided,) = await decided_events(app)
    assert decided.outcome == "not_eligible"


async def test_a_full_proposal_waits_for_the_final_deadline_and_every_rule(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("regional_eligibility")
    call = await two_stage_call(app, clock)
    await stage_one_closes(app, call, clock)
    clock.set(clock.now() + timedelta(days=6))  # stage 2 open
    full = submitted_event(call, GREEDY, clock).model_copy(update={"stage": 2})
    await deliver(app, envelope_of(full, clock))
    assert await decided_events(app) == []  # a full proposal is final only at the call's deadline
    clock.set(call.deadline + timedelta(minutes=1))
    closed = call.model_copy(update={"status": "closed", "revision": 4})
    await deliver(app, call_published_envelope(closed, clock))
    assert await decided_events(app) == []  # every rule: Upper Austria's manual check is open for its officers
    checks = {c["rule"]: c["verdict"] for c in (await client.get("/checks", headers=AUSTRIA)).json()["items"]}
    assert (checks["regional.funding_rate"], checks["regional.manual_check"]) == ("fail", "needs_human")
