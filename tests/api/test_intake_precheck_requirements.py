"""The pre-check as a client builds on it: a documented report, `incomplete` until complete, one field that says
whether a submission now would be accepted, and what the call requires, from the first empty draft on."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import MovableClock
from tests.api.test_proposal_intake_api import CONSORTIUM, draft, open_call
from tests.conftest import ServiceClient
from tests.helpers import partner, proposal_body


async def test_an_empty_draft_is_incomplete_may_not_be_submitted_and_shows_what_the_call_requires(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    empty = (await client.post(f"/calls/{call.call_id}/proposals", json={}, headers=CONSORTIUM)).json()

    check = (await client.get(f"/proposals/{empty['id']}/precheck", headers=CONSORTIUM)).json()
    assert check["complete"] is False and check["outcome"] == "incomplete" and check["may_submit"] is False
    assert check["rules_outcome"] is None and check["report"] is None
    assert {"acronym", "trl", "partners"} <= {e["field"] for e in check["missing"]}
    assert check["blockers"][: len(check["missing"])] == check["missing"]
    required = check["requirements"]
    assert "abstract" in required["proposal"]["required"] and "budget" in required["partners"]["required"]
    assert required["proposal"]["s3_areas"] == call.configuration.topics  # type: ignore[union-attr]
    assert required["partners"]["min_participating_regions"] == 2 and required["partners"]["coordinators"] == 1
    upper_austria = next(r for r in required["regions"] if r["code"] == "AT-4")
    assert upper_austria["currency"] == "EUR" and upper_austria["funding_rates"]["sme"] == "0.5"
    assert upper_austria["eligible_organisation_types"]

    public = await client.get(f"/calls/{call.call_id}/requirements")  # no token: the call's rules are public
    assert public.status_code == 200 and public.json() == required


async def test_a_draft_with_a_gap_is_incomplete_even_when_every_rule_passes(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    body = proposal_body()
    del body["abstract"]
    proposal = (await draft(client, call, body)).json()
    check = (await client.get(f"/proposals/{proposal['id']}/precheck", headers=CONSORTIUM)).json()
    assert check["outcome"] == "incomplete" and check["rules_outcome"] in ("pass", "needs_human")
    assert check["may_submit"] is False and [e["field"] for e in check["blockers"]] == ["abstract"]


async def test_may_submit_says_what_the_submission_then_does(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    alone = (await draft(client, call, proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator")))).json()
    check = (await client.get(f"/proposals/{alone['id']}/precheck", headers=CONSORTIUM)).json()
    assert check["complete"] is True and check["outcome"] == "fail" and check["may_submit"] is False
    assert {e["field"] for e in check["blockers"]} <= {"consortium", "partners"}
    refused = await client.post(f"/proposals/{alone['id']}/submit", headers=CONSORTIUM)
    assert refused.status_code == 422
    assert [e["message"] for e in refused.json()["errors"]] == [e["message"] for e in check["blockers"]]

    good = (await draft(client, call, proposal_body())).json()
    check = (await client.get(f"/proposals/{good['id']}/precheck", headers=CONSORTIUM)).json()
    assert check["may_submit"] is True and check["blockers"] == []
    assert check["outcome"] == "needs_human" and check["warnings"]  # Upper Austria's manual check
    receipt = await client.post(f"/proposals/{good['id']}/submit", headers=CONSORTIUM)
    assert receipt.status_code == 201 and receipt.json()["warnings"] == check["warnings"]

    clock.advance(timedelta(days=31))  # past the deadline
    late = (await client.get(f"/proposals/{good['id']}/precheck", headers=CONSORTIUM)).json()
    assert late["may_submit"] is False and late["blockers"][-1]["location"] == "call"
    assert "deadline" in late["blockers"][-1]["message"]
    assert (await client.post(f"/proposals/{good['id']}/submit", headers=CONSORTIUM)).status_code == 409
