"""Rules read from a call document in the shape of alpine-call.json."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from shared.rules.from_config import (
    consortium_rules_from_dict,
    regional_rules_by_code,
    regional_rules_from_dict,
    reporting_rates_from_dict,
)
from shared.rules.model import ConsortiumRules, OrganisationType
from tests.unit.rules.rules_builders import load_alpine_call


def minimal_region(**fields: Any) -> dict[str, Any]:
    return {
        "code": "XX",
        "name": "Somewhere",
        "agency": "ignored",
        "budget": 1000,
        "currency": "EUR",
        "eligible_organisation_types": ["sme"],
        "funding_rates": {"sme": 0.45},
        "s3_areas": ["eco-innovation"],
        **fields,
    }


class TestRegionalRules:
    def test_floats_become_exact_decimals(self) -> None:
        rules = regional_rules_from_dict(minimal_region(cost_caps={"subcontracting": 0.15}))
        assert rules.funding_rates == {OrganisationType.SME: Decimal("0.45")}
        assert rules.cost_caps == {"subcontracting": Decimal("0.15")}

    def test_defaults_for_what_is_not_configured(self) -> None:
        rules = regional_rules_from_dict(minimal_region())
        assert rules.must_be_established_in_region
        assert (rules.max_grant_per_partner, rules.eligible_cost_categories, rules.trl_min) == (None, None, None)
        assert (rules.cost_caps, rules.manual_checks) == ({}, [])

    def test_optional_keys_are_read(self) -> None:
        rules = regional_rules_from_dict(
            minimal_region(
                trl={"min": 4},
                eligible_cost_categories=["personnel", "travel"],
                must_be_established_in_region=False,
                max_partners=2,
                max_grant_per_partner=100000.5,
            )
        )
        assert (rules.trl_min, rules.trl_max) == (4, None)
        assert rules.eligible_cost_categories == frozenset({"personnel", "travel"})
        assert (rules.must_be_established_in_region, rules.max_partners) == (False, 2)
        assert rules.max_grant_per_partner == Decimal("100000.5")

    def test_invalid_rules_are_rejected(self) -> None:
        with pytest.raises(ValidationError):
            regional_rules_from_dict(minimal_region(funding_rates={}))

    def test_a_rate_that_is_not_a_number_is_rejected(self) -> None:
        with pytest.raises(ValueError, match="not a number"):
            reporting_rates_from_dict({"funding": {"reporting_rates": {"CHF": [1]}}})


class TestConsortiumRules:
    def test_call_level_keys_are_merged(self) -> None:
        call = {"max_duration_months": 24, "trl": {"min": 2, "max": 6}, "consortium_rules": {"min_sme_share": 0.5}}
        rules = consortium_rules_from_dict(call)
        assert (rules.max_duration_months, rules.trl_min, rules.trl_max) == (24, 2, 6)
        assert rules.min_sme_share == Decimal("0.5")

    def test_an_empty_call_gets_the_defaults(self) -> None:
        assert consortium_rules_from_dict({}) == ConsortiumRules()


class TestAlpineCall:
    def test_consortium_rules(self) -> None:
        rules = consortium_rules_from_dict(load_alpine_call())
        assert rules == ConsortiumRules(
            min_partners=2,
            min_participating_regions=2,
            max_partners_per_region=3,
            coordinator_from_participating_region=True,
            max_share_per_partner=Decimal("0.7"),
            max_share_per_region=Decimal("0.7"),
            self_funded_partners_allowed=True,
            max_duration_months=36,
            trl_min=3,
            trl_max=7,
        )

    def test_all_eleven_regions(self) -> None:
        regions = regional_rules_by_code(load_alpine_call())
        assert sorted(regions) == [
            "AT-4", "AT-5", "CH-FR", "DE-BW", "DE-BY", "FR-BFC", "IT-21", "IT-25", "IT-32", "IT-34", "SI",
        ]  # fmt: skip
        assert {code for code, rules in regions.items() if rules.currency == "CHF"} == {"CH-FR"}

    def test_a_region_in_detail(self) -> None:
        bavaria = regional_rules_by_code(load_alpine_call())["DE-BY"]
        assert bavaria.name == "Bavaria"
        assert bavaria.funding_rates[OrganisationType.LARGE_ENTERPRISE] == Decimal("0.25")
        assert (bavaria.max_grant_per_partner, bavaria.max_grant_per_proposal) == (Decimal(250000), Decimal(400000))
        assert (bavaria.trl_min, bavaria.trl_max) == (4, 7)
        assert bavaria.cost_caps == {"subcontracting": Decimal("0.2")}
        assert bavaria.manual_checks == ["de minimis state-aid declaration"]

    def test_reporting_rates_include_the_reporting_currency(self) -> None:
        assert reporting_rates_from_dict(load_alpine_call()) == {"EUR": Decimal(1), "CHF": Decimal("1.05")}
