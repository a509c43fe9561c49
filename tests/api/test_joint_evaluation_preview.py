"""The funding preview (a simulation, as the selection meeting asks for it before the decision) is kept by the
service's runtime by everything its walk reads: asked again unchanged it is the kept answer, equal to a walk
afresh; after each kind of change that can change the walk it is walked again. The scenario is
test_joint_evaluation_funding's (ALPHA funded, BETA reserve for want of Fribourg's money, GAMMA funded)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from services.joint_evaluation.caches import FUNDING_ANSWERS, PREVIEWS, ROUNDS
from shared.clock import MovableClock
from shared.events import EligibilityDecided, PartnerVerdict
from tests.api.test_joint_evaluation_api import AGENCY, deliver
from tests.api.test_joint_evaluation_funding import (
    AUSTRIA,
    FRIBOURG,
    Scenario,
    answer,
    decide,
    evaluated,
    statuses,
    withdraw_alpha,
)
from tests.conftest import ServiceClient
from tests.helpers import call_published_envelope, envelope_of, partner, proposal_body, submitted_event

BEFORE = {"ALPHA": "funded", "BETA": "reserve", "GAMMA": "funded"}
BETA_IN = {"ALPHA": "funded", "BETA": "funded", "GAMMA": "reserve"}  # BETA funded takes Austria's money from GAMMA


async def preview(s: Scenario, top_ups: dict[str, str] | None = None, view: str = "all") -> dict[str, Any]:
    response = await s.client.post(
        f"/calls/{s.call_id}/funding/simulate?view={view}", json={"top_ups": top_ups or {}}, headers=AGENCY
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def afresh(s: Scenario, top_ups: dict[str, str] | None = None, view: str = "all") -> dict[str, Any]:
    """The preview walked again: nothing kept."""
    PREVIEWS.in_(s.app.state.runtime.caches).clear()
    return await preview(s, top_ups, view)


async def test_the_kept_preview_is_the_walk_afresh_and_is_kept_per_top_ups_and_view(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    kept = PREVIEWS.in_(s.app.state.runtime.caches)
    for top_ups, view in ((None, "all"), (None, "line"), ({"CH-FR": "40000.00"}, "all"), ({"CH-FR": "40000"}, "line")):
        first = await preview(s, top_ups, view)
        hits = kept.hits
        assert await preview(s, top_ups, view) == first and kept.hits == hits + 1  # the kept answer
        assert await afresh(s, top_ups, view) == first
    assert statuses(await preview(s)) == BEFORE
    assert statuses(await preview(s, {"CH-FR": "40000"})) == BETA_IN
    line = await preview(s, view="line")
    assert line["outcomes"] is not None and (await preview(s))["outcomes"] is None


async def _withdraw_alpha(s: Scenario, clock: MovableClock) -> None:
    """At the same instant as the last change (the clock stands still): a key by time would miss it."""
    await withdraw_alpha(s, clock)


async def _resubmit_beta_asking_less_of_fribourg(s: Scenario, clock: MovableClock) -> None:
    body = proposal_body(
        partner("Beta AG", "AT-4", role="coordinator"),
        partner("Beta SA", "CH-FR", requested="60000.00", currency="CHF"),
        acronym="BETA",
    )
    again = submitted_event(s.call, body, clock, version=2, proposal_id=s.beta.proposal_id)
    await deliver(s.app, envelope_of(again, clock))


async def _drop_betas_fribourg_partner(s: Scenario, clock: MovableClock) -> None:
    dropped = [p.partner_id for p in s.beta.partners if p.region_code == "CH-FR"]
    decided = EligibilityDecided(
        proposal_id=s.beta.proposal_id,
        call_id=s.call.call_id,
        proposal_version=s.beta.version,
        decision_version=2,
        outcome="eligible",
        reasons=["a partner is not eligible"],
        partners=[
            PartnerVerdict(
                partner_id=p.partner_id, region_code=p.region_code, eligible=p.partner_id not in dropped, reasons=[]
            )
            for p in s.beta.partners
        ],
        decided_at=clock.now(),
        dropped_partners=dropped,
    )
    await deliver(s.app, envelope_of(decided, clock))


async def _fribourg_declines_alpha(s: Scenario, clock: MovableClock) -> None:
    await decide(s)
    declined = await answer(
        s, FRIBOURG, "CH-FR", decision="decline", proposal_id=str(s.alpha.proposal_id), reason="partner insolvent"
    )
    assert declined.status_code == 200, declined.text


async def _fribourg_budget_raised(s: Scenario, clock: MovableClock) -> None:
    """A newer version of the call (its copy here): Fribourg's budget raised to 300,000 CHF."""
    config = s.call.configuration
    assert config is not None
    regions = [r.model_copy(update={"budget": Decimal("300000")}) if r.code == "CH-FR" else r for r in config.regions]
    newer = s.call.model_copy(
        update={"revision": (s.call.revision or 0) + 1, "configuration": config.model_copy(update={"regions": regions})}
    )
    await deliver(s.app, call_published_envelope(newer, clock))


async def _reporting_rate_changed(s: Scenario, clock: MovableClock) -> None:
    """A newer version of the call: the franc worth twice as much in the reporting currency (budget lines in
    euros: Fribourg's allocation in euros changes, its statuses not)."""
    config = s.call.configuration
    assert config is not None
    funding = config.funding.model_copy(update={"reporting_rates": {"CHF": Decimal("2.1")}})
    newer = s.call.model_copy(
        update={"revision": (s.call.revision or 0) + 1, "configuration": config.model_copy(update={"funding": funding})}
    )
    await deliver(s.app, call_published_envelope(newer, clock))


Change = Callable[[Scenario, MovableClock], Awaitable[None]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_withdraw_alpha, {"BETA": "funded", "GAMMA": "funded"}),
        (_resubmit_beta_asking_less_of_fribourg, BETA_IN),
        (_drop_betas_fribourg_partner, BETA_IN),
        (_fribourg_declines_alpha, {"ALPHA": "declined", "BETA": "funded", "GAMMA": "funded"}),
        (_fribourg_budget_raised, BETA_IN),
        (_reporting_rate_changed, BEFORE),
    ],
    ids=["withdrawal", "new version", "eligibility again", "decline", "budget", "reporting rate"],
)
async def test_each_change_the_walk_reads_walks_the_preview_again(
    service_client: ServiceClient, clock: MovableClock, change: Change, expected: dict[str, str]
) -> None:
    s = await evaluated(service_client, clock)
    kept = {view: await preview(s, view=view) for view in ("all", "line")}
    assert statuses(kept["all"]) == BEFORE
    await change(s, clock)
    for view in ("all", "line"):
        after = await preview(s, view=view)
        assert after != kept[view]  # walked again: the kept answer is not served
        assert after == await afresh(s, view=view)
    assert statuses(after) == expected


async def test_no_preview_before_the_ranking_is_complete_then_one_of_the_fixed_ranking(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock, complete=False)
    refused = await s.client.post(f"/calls/{s.call_id}/funding/simulate", json={"top_ups": {}}, headers=AGENCY)
    assert refused.status_code == 409 and len(PREVIEWS.in_(s.app.state.runtime.caches)) == 0
    assert (await s.client.post(f"/calls/{s.call_id}/ranking/complete", headers=AGENCY)).status_code == 200
    assert statuses(await preview(s)) == BEFORE


async def test_the_decided_round_is_kept_as_it_is_written_and_equals_the_stored_one(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """The first read after the decision finds the round parsed: it was kept when the decision committed."""
    s = await evaluated(service_client, clock)
    rounds = ROUNDS.in_(s.app.state.runtime.caches)
    decided = await decide(s)
    assert len(rounds) == 1
    hits = rounds.hits
    read = (await s.client.get(f"/calls/{s.call_id}/funding", headers=AGENCY)).json()
    assert rounds.hits == hits + 1 and read == decided
    rounds.clear()
    assert (await s.client.get(f"/calls/{s.call_id}/funding", headers=AGENCY)).json() == read  # parsed from storage


async def test_the_funding_answer_is_kept_per_reader_and_view_and_written_again_after_each_change(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    answers = FUNDING_ANSWERS.in_(s.app.state.runtime.caches)
    await decide(s)

    async def funding(token: dict[str, str] = AGENCY, view: str = "all") -> dict[str, Any]:
        response = await s.client.get(f"/calls/{s.call_id}/funding?view={view}", headers=token)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    first = await funding()
    hits = answers.hits
    assert await funding() == first and answers.hits == hits + 1  # the kept answer
    own, line = await funding(FRIBOURG), await funding(view="line")
    assert own["totals"] is None and first["totals"] is not None and line["outcomes"] is not None
    assert (await answer(s, AUSTRIA, "AT-4", decision="confirm")).status_code == 200
    confirmed = await funding()
    assert confirmed != first and {c["region_code"]: c["confirmed"] for c in confirmed["confirmations"]}["AT-4"]
    assert (await funding(FRIBOURG)) == own  # Fribourg's part and its own status did not change
    declined = await answer(
        s, FRIBOURG, "CH-FR", decision="decline", proposal_id=str(s.alpha.proposal_id), reason="partner insolvent"
    )
    assert declined.status_code == 200
    after = await funding()
    assert after["funding_version"] == 2 and statuses(after)["ALPHA"] == "declined"
    answers.clear()
    assert await funding() == after and await funding(FRIBOURG) != own  # as written afresh
