"""services/proposal_intake/domain/completeness.py: every gap of a draft listed at once, at its field."""

from __future__ import annotations

from typing import Any

import pytest

from services.proposal_intake.domain.completeness import completeness_errors
from shared.calls import CallConfiguration
from shared.clock import MovableClock
from shared.proposals import ProposalDraft
from tests.helpers import NOW, partner, proposal_body, published_call

CALL: CallConfiguration = published_call(MovableClock(NOW)).configuration  # type: ignore[assignment]


def gaps(body: dict[str, Any]) -> dict[str, str]:
    draft = ProposalDraft.model_validate(body).with_partner_keys()
    return {error.field: error.message for error in completeness_errors(draft, CALL)}


def test_a_complete_draft_has_no_gap() -> None:
    assert gaps(proposal_body()) == {}


def test_an_empty_draft_lists_every_proposal_field_at_once() -> None:
    found = gaps({})
    for field in ("acronym", "title", "abstract", "trl", "duration_months", "s3_areas", "partners"):
        assert field in found
    assert found["acronym"] == "required for submission"


@pytest.mark.parametrize("field", ["acronym", "title", "abstract", "trl", "duration_months"])
def test_each_missing_proposal_field_is_named(field: str) -> None:
    body = proposal_body()
    body.pop(field)
    assert gaps(body) == {field: "required for submission"}


def test_s3_areas_must_be_topics_of_the_call() -> None:
    body = proposal_body()
    body["s3_areas"] = ["circular economy", "space tourism"]
    assert gaps(body) == {"s3_areas": "not topics of the call: space tourism"}


def test_exactly_one_coordinator() -> None:
    none = proposal_body(partner("A GmbH", "AT-4"), partner("B SA", "CH-FR", currency="CHF"))
    assert gaps(none) == {"partners": "exactly one partner must be the coordinator (none are)"}
    two = proposal_body(
        partner("A GmbH", "AT-4", role="coordinator"), partner("B SA", "CH-FR", currency="CHF", role="coordinator")
    )
    assert gaps(two) == {"partners": "exactly one partner must be the coordinator (2 are)"}


def test_a_partner_key_used_twice_is_named_at_each_partner() -> None:
    body = proposal_body()
    for item in body["partners"]:
        item["key"] = "p1"
    found = gaps(body)
    assert found["partners.0.key"] == found["partners.1.key"] == "partner key p1 is used twice"


def test_missing_partner_fields_are_named_at_the_partner() -> None:
    body = proposal_body()
    for name in ("legal_id", "contact", "requested_funding"):
        body["partners"][1].pop(name)
    body["partners"][1]["budget"] = {}
    found = gaps(body)
    assert found == {
        "partners.1.legal_id": "required for submission",
        "partners.1.contact": "required for submission",
        "partners.1.requested_funding": "required for submission",
        "partners.1.budget": "give the partner's costs per cost category",
    }


def test_a_partner_funded_in_the_wrong_currency() -> None:
    body = proposal_body(partner("A GmbH", "AT-4", role="coordinator"), partner("B SA", "CH-FR", currency="EUR"))
    found = gaps(body)
    assert list(found) == ["partners.1.currency"]
    assert "in CHF, not EUR" in found["partners.1.currency"]


def test_a_partner_from_outside_the_call_states_its_currency() -> None:
    outsider = partner("Outside Ltd", "FR-J", country="FR")
    outsider.pop("currency")
    body = proposal_body(partner("A GmbH", "AT-4", role="coordinator"), outsider)
    assert gaps(body) == {"partners.1.currency": "a partner from outside the call's regions states its currency"}


def test_requested_funding_above_total_costs() -> None:
    body = proposal_body(
        partner("A GmbH", "AT-4", role="coordinator", costs="100.00", requested="100.01"),
        partner("B SA", "CH-FR", currency="CHF"),
    )
    assert gaps(body) == {
        "partners.0.requested_funding": "requested funding (100.01) exceeds the partner's total costs (100.00)"
    }
    at_costs = proposal_body(
        partner("A GmbH", "AT-4", role="coordinator", costs="100.00", requested="100.00"),
        partner("B SA", "CH-FR", currency="CHF"),
    )
    assert gaps(at_costs) == {}
