"""Refused submissions are visible to the agency: counts per call and rule, and each draft's last refusal."""

from __future__ import annotations

from datetime import timedelta

from services.proposal_intake.domain.refusals import Refusal, rules_of, summarise
from shared.clock import MovableClock
from tests.api.test_proposal_intake_api import CONSORTIUM, draft, open_call
from tests.conftest import ServiceClient
from tests.helpers import NOW, bearer, partner, proposal_body

AGENCY = bearer("agency")


async def test_the_agency_sees_who_was_refused_and_why(service_client: ServiceClient, clock: MovableClock) -> None:
    client, app = await service_client("proposal_intake")
    call = await open_call(app, clock)
    alone = (await draft(client, call, proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator")))).json()
    for _ in range(2):
        assert (await client.post(f"/proposals/{alone['id']}/submit", headers=CONSORTIUM)).status_code == 422
    gap = proposal_body()
    del gap["abstract"]
    other = bearer("consortium:beta")
    incomplete = (await draft(client, call, gap, token=other)).json()
    assert (await client.post(f"/proposals/{incomplete['id']}/submit", headers=other)).status_code == 422
    good = (await draft(client, call, proposal_body())).json()
    assert (await client.post(f"/proposals/{good['id']}/submit", headers=CONSORTIUM)).status_code == 201
    clock.advance(timedelta(days=31))
    assert (await client.post(f"/proposals/{incomplete['id']}/submit", headers=other)).status_code == 409

    assert (await client.get(f"/calls/{call.call_id}/refusals", headers=CONSORTIUM)).status_code == 403
    seen = (await client.get(f"/calls/{call.call_id}/refusals", headers=AGENCY)).json()
    assert seen["total"] == 4 and seen["proposals"] == 2
    by_rule = {r["rule"]: (r["refusals"], r["proposals"]) for r in seen["by_rule"]}
    assert by_rule["consortium.min_participating_regions"] == (2, 1)
    assert by_rule["completeness"] == (1, 1) and by_rule["submission_window"] == (1, 1)
    assert [r["applicant_id"] for r in seen["last_per_proposal"]] == ["beta", "acme"]  # latest first
    beta = seen["last_per_proposal"][0]
    assert beta["status"] == 409 and beta["rules"] == ["submission_window"] and beta["errors"][0]["location"] == "call"
    acme = seen["last_per_proposal"][1]
    assert acme["status"] == 422 and "consortium.min_partners" in acme["rules"]
    assert any("consortium.min_partners" in e["message"] for e in acme["errors"])


def test_rules_are_read_from_the_errors() -> None:
    errors = [
        {"field": "abstract", "message": "required for submission"},
        {"field": "consortium", "message": "consortium.min_partners: 1 partner, fewer than 2"},
        {"field": "partners", "message": "consortium.max_share_per_partner: Alpha holds 80%"},
        {"field": "consortium", "message": "consortium.min_partners: again"},
    ]
    assert rules_of(errors) == ["completeness", "consortium.min_partners", "consortium.max_share_per_partner"]


def test_the_summary_counts_per_rule_and_keeps_each_draft_s_last_refusal() -> None:
    def refused(minutes: int, proposal: str, *rules: str) -> Refusal:
        return Refusal(NOW + timedelta(minutes=minutes), proposal, "a", None, 422, list(rules), [])

    summary = summarise([refused(3, "p2", "x"), refused(1, "p1", "x", "y"), refused(2, "p1", "y")])
    assert summary.total == 3 and summary.proposals == 2
    assert [(c.rule, c.refusals, c.proposals) for c in summary.by_rule] == [("x", 2, 2), ("y", 2, 1)]
    assert [(r.proposal_id, r.rules) for r in summary.last_per_proposal] == [("p2", ["x"]), ("p1", ["y"])]
    assert summarise([]).by_rule == [] and summarise([]).total == 0
