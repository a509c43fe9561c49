"""The deadline dashboard of a call (agency): what happened over time, the submitted proposals by region and by
partner count, what the pre-checks found and the refusals, counted by the database on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from shared.clock import MovableClock
from tests.api.test_proposal_intake_api import CONSORTIUM, draft, open_call
from tests.conftest import ServiceClient
from tests.helpers import bearer, partner, proposal_body

AGENCY = bearer("agency")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    """The counts are GROUP BYs over JSON expanded by each database's own functions: both are run."""
    return str(request.param)


async def test_the_dashboard_counts_what_happened_in_the_call(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    good = (await draft(client, call, proposal_body())).json()
    assert (await client.post(f"/proposals/{good['id']}/submit", headers=CONSORTIUM)).status_code == 201
    clock.advance(timedelta(hours=1))
    assert (await client.post(f"/proposals/{good['id']}/submit", headers=CONSORTIUM)).status_code == 201
    alone = (await draft(client, call, proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator")))).json()
    assert (await client.get(f"/proposals/{alone['id']}/precheck", headers=CONSORTIUM)).status_code == 200
    assert (await client.post(f"/proposals/{alone['id']}/submit", headers=CONSORTIUM)).status_code == 422
    greedy = partner("Bayern Werk GmbH", "DE-BY", costs="100000.00", requested="62000.00")
    bavarian = await draft(client, call, proposal_body(partner("Beta GmbH", "AT-4", role="coordinator"), greedy))
    bavarian_id = bavarian.json()["id"]
    assert (await client.get(f"/proposals/{bavarian_id}/precheck", headers=CONSORTIUM)).status_code == 200
    assert (await client.post(f"/proposals/{bavarian_id}/submit", headers=CONSORTIUM)).status_code == 201
    dropped = (await draft(client, call)).json()
    withdrawal = {"reason": "not this year"}
    assert (await client.post(f"/proposals/{dropped['id']}/withdraw", json=withdrawal, headers=CONSORTIUM)).is_success
    clock.advance(timedelta(days=31))  # past the deadline: one more try is refused for its timing
    assert (await client.post(f"/proposals/{alone['id']}/submit", headers=CONSORTIUM)).status_code == 409

    answer = await client.get(f"/calls/{call.call_id}/dashboard", headers=AGENCY)
    assert answer.status_code == 200
    seen = answer.json()
    assert seen["proposals"] == {"draft": 1, "submitted": 2, "withdrawn": 1, "total": 4}

    rows = seen["over_time"]
    assert seen["interval_seconds"] == 86400  # forty days, cut by the day
    kinds = ("drafts", "first_submissions", "resubmissions", "refusals")
    assert {kind: sum(row[kind] for row in rows) for kind in kinds} == {
        "drafts": 4,
        "first_submissions": 2,
        "resubmissions": 1,
        "refusals": 2,
    }
    assert rows[0]["start"] is not None and rows[-1]["end"] is None  # nothing before the opening; after the deadline
    assert rows[-1]["refusals"] == 1 and rows[-1]["drafts"] == 0
    busy = [row for row in rows[:-1] if row["drafts"]]
    assert len(busy) == 1 and busy[0]["first_submissions"] == 2 and busy[0]["resubmissions"] == 1
    assert busy[0]["start"] <= clock.now().isoformat() and len(rows) - 1 >= 40

    by_region = {r["region_code"]: (r["proposals"], r["partners"]) for r in seen["by_region"]}
    assert by_region == {"AT-4": (2, 2), "CH-FR": (1, 1), "DE-BY": (1, 1)}  # the submitted versions only
    assert seen["by_partner_count"] == [{"partners": 2, "proposals": 2}]

    precheck = seen["precheck"]
    assert precheck["proposals_checked"] == 2 and precheck["proposals_failing"] == 1
    rules = {r["rule"]: (r["proposals"], r["occurrences"]) for r in precheck["by_rule"]}
    assert rules["consortium.min_partners"] == (1, 1) and rules["consortium.min_participating_regions"] == (1, 1)
    warned = {r["region_code"]: r["proposals"] for r in precheck["regional_warnings"]}
    assert warned["DE-BY"] == 1  # Bavaria's funding rate, as the memo keeps it (no rule name)

    refusals = seen["refusals"]
    assert refusals["total"] == 2 and refusals["proposals"] == 1
    assert refusals["at_deadline"] == 1 and refusals["at_deadline_proposals"] == 1
    refused = {r["rule"]: (r["proposals"], r["occurrences"]) for r in refusals["by_rule"]}
    assert refused["submission_window"] == (1, 1) and refused["consortium.min_partners"] == (1, 1)
    assert set(seen["covers"]) == {"over_time", "proposals", "by_region", "by_partner_count", "precheck", "refusals"}

    same = (await client.get(f"/calls/{call.call_id}/refusals", headers=AGENCY)).json()
    assert same["total"] == refusals["total"]  # the refusals' own endpoint counts the same ones


async def test_the_dashboard_is_the_agency_s_and_of_a_known_call(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    empty = (await client.get(f"/calls/{call.call_id}/dashboard", headers=AGENCY)).json()
    assert empty["proposals"]["total"] == 0 and empty["by_region"] == [] and empty["by_partner_count"] == []
    assert all(row["drafts"] == 0 for row in empty["over_time"])

    refused = await client.get(f"/calls/{call.call_id}/dashboard", headers=CONSORTIUM)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    unknown = await client.get(f"/calls/{uuid.uuid4()}/dashboard", headers=AGENCY)
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
