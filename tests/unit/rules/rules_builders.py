"""Builders for the rule-engine tests: small valid facts with every field overridable, and the Alpine call."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from shared.rules.model import (
    ConsortiumRules,
    OrganisationType,
    PartnerFacts,
    ProposalFacts,
    RegionalRules,
    Verdict,
)

# The example call ships with the project (a copy of ../shared/alpine-call.json).
ALPINE_CALL_PATH = (
    Path(__file__).resolve().parents[3] / "services" / "call_definition" / "examples" / "alpine-call.json"
)

EUR_CHF_RATES = {"EUR": Decimal(1), "CHF": Decimal("1.05")}


def load_alpine_call() -> dict[str, Any]:
    """The Alpine example call shipped with the project."""
    call: dict[str, Any] = json.loads(ALPINE_CALL_PATH.read_text(encoding="utf-8"))
    return call


def region(**overrides: Any) -> RegionalRules:
    """Bavaria-like rules: SMEs at 50%, universities at 100%, 20% subcontracting cap, no manual checks."""
    fields: dict[str, Any] = {
        "code": "DE-BY",
        "name": "Bavaria",
        "currency": "EUR",
        "eligible_organisation_types": {"sme", "university", "research_organisation"},
        "funding_rates": {"sme": "0.5", "university": "1", "research_organisation": "1"},
        "max_grant_per_partner": "250000",
        "max_grant_per_proposal": "400000",
        "s3_areas": {"advanced manufacturing", "connected mobility"},
        "cost_caps": {"subcontracting": "0.2"},
    }
    return RegionalRules.model_validate({**fields, **overrides})


def fribourg(**overrides: Any) -> RegionalRules:
    """A CHF region."""
    fields: dict[str, Any] = {
        "code": "CH-FR",
        "name": "Canton of Fribourg",
        "currency": "CHF",
        "max_grant_per_partner": "150000",
        "max_grant_per_proposal": "220000",
    }
    return region(**{**fields, **overrides})


def partner(partner_id: str = "p1", **overrides: Any) -> PartnerFacts:
    """An SME from Bavaria with 100,000.00 EUR of personnel costs, requesting 50,000.00 EUR."""
    fields: dict[str, Any] = {
        "partner_id": partner_id,
        "organisation_name": f"Org {partner_id}",
        "organisation_type": "sme",
        "is_sme": True,
        "role": "partner",
        "region_code": "DE-BY",
        "country": "DE",
        "costs": {"personnel": Decimal("100000.00")},
        "requested_funding": Decimal("50000.00"),
        "currency": "EUR",
    }
    merged = {**fields, **overrides}
    if merged["organisation_type"] != OrganisationType.SME and "is_sme" not in overrides:
        merged["is_sme"] = False
    return PartnerFacts.model_validate(merged)


def proposal(*partners: PartnerFacts, **overrides: Any) -> ProposalFacts:
    fields: dict[str, Any] = {
        "s3_areas": {"advanced manufacturing"},
        "trl": 5,
        "duration_months": 24,
        "partners": list(partners),
    }
    return ProposalFacts.model_validate({**fields, **overrides})


def consortium_rules(**overrides: Any) -> ConsortiumRules:
    """No optional rule configured: tests switch on the ones they look at."""
    return ConsortiumRules.model_validate(overrides)


def only(verdicts: list[Verdict], rule: str) -> Verdict:
    """The single verdict of `rule`, failing the test if there is none or several."""
    matching = [v for v in verdicts if v.rule == rule]
    assert len(matching) == 1, f"expected one {rule} verdict, got {matching}"
    return matching[0]


def of_rule(verdicts: list[Verdict], rule: str) -> list[Verdict]:
    return [v for v in verdicts if v.rule == rule]
