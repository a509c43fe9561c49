"""The pre-check report: consortium verdicts, then per region per partner, with summary flags."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from shared.rules.consortium import evaluate_consortium
from shared.rules.model import Outcome, ProposalFacts, RegionalRules
from shared.rules.precheck import PrecheckReport, outcome_of, precheck
from shared.rules.regional import evaluate_partner, evaluate_region
from tests.unit.rules.rules_builders import EUR_CHF_RATES, consortium_rules, fribourg, partner, proposal, region

REGIONS = {"DE-BY": region(), "CH-FR": fribourg()}


def sound_proposal() -> ProposalFacts:
    return proposal(
        partner("by", role="coordinator"),
        partner("ch", region_code="CH-FR", country="CH", currency="CHF"),
    )


def check(facts: ProposalFacts, regions: Mapping[str, RegionalRules] = REGIONS) -> PrecheckReport:
    return precheck(consortium_rules(), regions, EUR_CHF_RATES, facts)


class TestGrouping:
    def test_verdicts_are_grouped_by_region_and_partner(self) -> None:
        report = check(sound_proposal())
        assert [v.rule for v in report.consortium][:2] == [
            "consortium.min_partners",
            "consortium.min_participating_regions",
        ]
        assert list(report.regions) == ["CH-FR", "DE-BY"]
        assert list(report.regions["CH-FR"].partners) == ["ch"]
        assert {v.region_code for v in report.regions["CH-FR"].verdicts()} == {"CH-FR"}
        assert [v.rule for v in report.regions["DE-BY"].region] == ["regional.max_grant_per_proposal"]

    def test_the_report_holds_exactly_what_the_rule_functions_say(self) -> None:
        # The live pre-check and the official check are the same functions: nothing is added or lost.
        facts = sound_proposal()
        report = check(facts)
        participating = {"DE-BY": "EUR", "CH-FR": "CHF"}
        assert report.consortium == evaluate_consortium(consortium_rules(), facts, participating, EUR_CHF_RATES)
        by, ch = facts.partners
        assert report.regions["DE-BY"].partners["by"] == evaluate_partner(REGIONS["DE-BY"], by, facts)
        assert report.regions["CH-FR"].region == evaluate_region(REGIONS["CH-FR"], [ch], facts)

    def test_regions_without_partners_are_left_out(self) -> None:
        report = check(proposal(partner("a", role="coordinator"), partner("b")))
        assert list(report.regions) == ["DE-BY"]

    def test_self_funded_partners_get_only_consortium_verdicts(self) -> None:
        outsider = partner("o", region_code="UK-LDN", currency="EUR", requested_funding=Decimal(0))
        report = check(proposal(*sound_proposal().partners, outsider))
        assert "UK-LDN" not in report.regions
        assert [v.rule for v in report.consortium if v.partner_id == "o"] == ["consortium.self_funded_partner"]

    def test_regions_filed_under_another_code_are_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="regions filed under another code: AT-4"):
            check(sound_proposal(), {"AT-4": region()})


class TestSummary:
    def test_a_clean_proposal(self) -> None:
        report = check(sound_proposal())
        assert (report.has_failures, report.needs_human, report.outcome) == (False, False, Outcome.PASS)
        assert report.regions["DE-BY"].outcome is Outcome.PASS

    def test_manual_checks_need_a_human(self) -> None:
        regions = {**REGIONS, "CH-FR": fribourg(manual_checks=["registered seat in the canton"])}
        report = check(sound_proposal(), regions)
        assert (report.has_failures, report.needs_human, report.outcome) == (False, True, Outcome.NEEDS_HUMAN)
        assert report.regions["CH-FR"].outcome is Outcome.NEEDS_HUMAN
        assert report.regions["DE-BY"].outcome is Outcome.PASS

    def test_a_regional_failure_fails_the_report(self) -> None:
        by, ch = sound_proposal().partners
        greedy = ch.model_copy(update={"requested_funding": Decimal("50000.01")})
        report = check(proposal(by, greedy))
        assert (report.has_failures, report.outcome) == (True, Outcome.FAIL)
        assert report.regions["CH-FR"].outcome is Outcome.FAIL
        assert outcome_of(report.consortium) is Outcome.PASS

    def test_a_consortium_failure_fails_the_report(self) -> None:
        report = check(proposal(partner("a")))
        assert report.has_failures
        assert all(region.outcome is Outcome.PASS for region in report.regions.values())

    def test_flags_are_serialised(self) -> None:
        dumped = check(sound_proposal()).model_dump(mode="json")
        assert (dumped["has_failures"], dumped["needs_human"], dumped["outcome"]) == (False, False, "pass")
        assert dumped["regions"]["CH-FR"]["outcome"] == "pass"
        assert dumped["consortium"][0]["outcome"] == "pass"
