"""A draft's partner facts are built without validating them again: validating them changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from shared.proposals import ProposalDraft, partner_facts
from shared.rules.model import PartnerFacts
from tests.helpers import partner, proposal_body

CURRENCIES = {"AT-4": "EUR", "CH-FR": "CHF", "DE-BY": "EUR"}


def drafts() -> list[dict[str, Any]]:
    varied = [
        partner("  Alpha GmbH  ", "AT-4", role="coordinator", costs="200000.50", requested="0"),
        partner("Beta AG", "CH-FR", currency="CHF", kind="university", costs="1", requested="0.99"),
        {**partner("Gamma KG", "DE-BY", kind="large_enterprise"), "currency": None, "is_sme": True},
        {**partner("Delta SA", "CH-FR", kind="sme"), "is_sme": False, "currency": None},
        {**partner("Epsilon", "DE-BY", kind="ngo"), "budget": {"personnel": "10.5", "travel": "0.00"}},
        {**partner("Zeta", "DE-BY", kind="public_body"), "requested_funding": None},
    ]
    return [proposal_body(), proposal_body(*varied)]


@pytest.mark.parametrize("body", drafts())
def test_partner_facts_are_what_validation_makes(body: dict[str, Any]) -> None:
    draft = ProposalDraft.model_validate(body).with_partner_keys()
    built = [facts for p in draft.partners if (facts := partner_facts(p, CURRENCIES)) is not None]
    assert len(built) == len(draft.partners)
    for facts in built:
        validated = PartnerFacts.model_validate(facts.model_dump())
        assert validated == facts
        assert validated.model_dump() == facts.model_dump()
        assert type(validated.costs) is type(facts.costs) and facts.costs is not None
