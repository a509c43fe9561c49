"""Consortium rules: the call-level rules on the whole consortium, across regions and currencies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.rules.consortium import evaluate_consortium
from shared.rules.model import ConsortiumRules, Outcome, PartnerFacts, ProposalFacts, Verdict
from tests.unit.rules.rules_builders import EUR_CHF_RATES, consortium_rules, of_rule, only, partner, proposal

PASS, FAIL, NEEDS_HUMAN = Outcome.PASS, Outcome.FAIL, Outcome.NEEDS_HUMAN
PARTICIPATING = {"DE-BY": "EUR", "AT-4": "EUR", "CH-FR": "CHF"}


def judge_all(
    rules: ConsortiumRules, facts: ProposalFacts, rates: dict[str, Decimal] | None = None, **options: Any
) -> list[Verdict]:
    return evaluate_consortium(rules, facts, PARTICIPATING, EUR_CHF_RATES if rates is None else rates, **options)


def judge(rule: str, rules: ConsortiumRules, *partners: PartnerFacts, **proposal_fields: Any) -> Verdict:
    return only(judge_all(rules, proposal(*partners, **proposal_fields)), rule)


def coordinator(partner_id: str = "c", **fields: Any) -> PartnerFacts:
    return partner(partner_id, role="coordinator", **fields)


def costing(partner_id: str, amount: str, **fields: Any) -> PartnerFacts:
    return partner(partner_id, costs={"personnel": Decimal(amount)}, requested_funding=Decimal(0), **fields)


def swiss(partner_id: str, amount: str, **fields: Any) -> PartnerFacts:
    return costing(partner_id, amount, region_code="CH-FR", country="CH", currency="CHF", **fields)


class TestEvaluateConsortium:
    def test_rules_come_in_a_stable_order(self) -> None:
        rules = ConsortiumRules(
            max_partners_per_region=3,
            max_share_per_partner=Decimal("0.7"),
            max_share_per_region=Decimal("0.7"),
            min_sme_share=Decimal("0.5"),
            max_duration_months=36,
            trl_min=3,
        )
        facts = proposal(coordinator(), partner("a", region_code="AT-4"))
        assert [v.rule for v in judge_all(rules, facts)] == [
            "consortium.min_partners",
            "consortium.min_participating_regions",
            "consortium.max_partners_per_region",
            "consortium.max_partners_per_region",
            "consortium.coordinator",
            "consortium.coordinator_region",
            "consortium.max_share_per_partner",
            "consortium.max_share_per_partner",
            "consortium.max_share_per_region",
            "consortium.max_share_per_region",
            "consortium.min_sme_share",
            "consortium.duration",
            "consortium.trl",
        ]

    def test_a_sound_consortium_passes_everything(self) -> None:
        facts = proposal(coordinator(), partner("a", region_code="AT-4"))
        assert {v.outcome for v in judge_all(ConsortiumRules(max_duration_months=36), facts)} == {PASS}

    def test_with_minimal_rules_only_the_core_rules_are_judged(self) -> None:
        rules = ConsortiumRules(coordinator_from_participating_region=False)
        facts = proposal(coordinator(), partner("a", region_code="AT-4"))
        assert [v.rule for v in judge_all(rules, facts)] == [
            "consortium.min_partners",
            "consortium.min_participating_regions",
            "consortium.coordinator",
        ]


class TestMinPartners:
    @pytest.mark.parametrize(("count", "outcome"), [(2, FAIL), (3, PASS)])
    def test_minimum_edge(self, count: int, outcome: Outcome) -> None:
        partners = [partner(f"p{n}") for n in range(count)]
        verdict = judge("consortium.min_partners", consortium_rules(min_partners=3), *partners)
        assert verdict.outcome is outcome
        relation = "meets" if outcome is PASS else "is below"
        assert verdict.reason == f"the consortium has {count} partners, which {relation} the minimum of 3"

    def test_a_lone_partner_in_the_singular(self) -> None:
        verdict = judge("consortium.min_partners", consortium_rules(), partner())
        assert verdict.reason == "the consortium has 1 partner, which is below the minimum of 2"

    def test_self_funded_partners_count(self) -> None:
        facts = (partner("a"), costing("b", "1", region_code="UK-LDN", currency="EUR"))
        assert judge("consortium.min_partners", consortium_rules(), *facts).outcome is PASS


class TestMinParticipatingRegions:
    RULE = "consortium.min_participating_regions"

    def test_two_regions_pass(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), partner("a"), partner("b", region_code="AT-4"))
        assert verdict.outcome is PASS
        assert verdict.reason == (
            "funded partners come from 2 participating regions (AT-4, DE-BY), which meets the minimum of 2"
        )
        assert verdict.details == {"regions": "AT-4, DE-BY", "count": "2", "minimum": "2"}

    def test_partners_of_one_region_count_once(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), partner("a"), partner("b"), partner("c"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "funded partners come from 1 participating region (DE-BY), which is below the minimum of 2"
        )

    def test_self_funded_partners_do_not_count(self) -> None:
        outsider = costing("b", "1", region_code="UK-LDN")
        assert judge(self.RULE, consortium_rules(), partner("a"), outsider).outcome is FAIL

    def test_no_partners(self) -> None:
        verdict = judge(self.RULE, consortium_rules())
        assert (
            verdict.reason
            == "funded partners come from 0 participating regions (none), which is below the minimum of 2"
        )


class TestMaxPartnersPerRegion:
    RULE = "consortium.max_partners_per_region"

    def test_one_verdict_per_region_with_the_region_code(self) -> None:
        partners = [partner("a"), partner("b"), partner("c"), partner("d", region_code="AT-4")]
        verdicts = of_rule(judge_all(consortium_rules(max_partners_per_region=2), proposal(*partners)), self.RULE)
        assert [(v.region_code, v.outcome, v.reason) for v in verdicts] == [
            ("AT-4", PASS, "1 partner from region AT-4, within the maximum of 2 per region"),
            ("DE-BY", FAIL, "3 partners from region DE-BY, above the maximum of 2 per region"),
        ]

    def test_exactly_at_the_maximum_passes(self) -> None:
        assert judge(self.RULE, consortium_rules(max_partners_per_region=2), partner("a"), partner("b")).outcome is PASS

    def test_non_participating_regions_are_counted_too(self) -> None:
        outsiders = [costing(f"o{n}", "1", region_code="UK-LDN") for n in range(2)]
        verdict = judge(self.RULE, consortium_rules(max_partners_per_region=1), *outsiders)
        assert (verdict.region_code, verdict.outcome) == ("UK-LDN", FAIL)


class TestCoordinator:
    RULE = "consortium.coordinator"

    def test_exactly_one_coordinator_passes(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), coordinator(organisation_name="Acme"), partner("a"))
        assert (verdict.outcome, verdict.reason) == (PASS, "Acme is the only coordinator")
        assert verdict.details == {"coordinators": "c"}

    def test_missing_coordinator_fails(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), partner("a"), partner("b"))
        assert verdict.outcome is FAIL
        assert verdict.reason == "the consortium has no coordinator: exactly one partner must coordinate"

    def test_two_coordinators_fail_and_are_named(self) -> None:
        verdict = judge(
            self.RULE,
            consortium_rules(),
            coordinator("c1", organisation_name="Acme"),
            coordinator("c2", organisation_name="Beta"),
        )
        assert verdict.outcome is FAIL
        assert verdict.reason == "the consortium has 2 coordinators (Acme, Beta): exactly one is allowed"
        assert verdict.details == {"coordinators": "c1, c2"}


class TestCoordinatorRegion:
    RULE = "consortium.coordinator_region"

    def test_coordinator_from_a_participating_region_passes(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), coordinator(organisation_name="Acme"))
        assert verdict.outcome is PASS
        assert (verdict.partner_id, verdict.region_code) == ("c", "DE-BY")
        assert verdict.reason == "Acme coordinates from region DE-BY, which takes part in the call"

    def test_coordinator_from_elsewhere_fails(self) -> None:
        lead = coordinator(organisation_name="Acme", region_code="UK-LDN", requested_funding=Decimal(0))
        verdict = judge(self.RULE, consortium_rules(), lead)
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "Acme coordinates from region UK-LDN, which does not take part in the call: the coordinator must "
            "come from a participating region (AT-4, CH-FR, DE-BY)"
        )

    def test_not_judged_when_the_call_does_not_require_it(self) -> None:
        rules = consortium_rules(coordinator_from_participating_region=False)
        facts = proposal(coordinator(region_code="UK-LDN", requested_funding=Decimal(0)))
        assert of_rule(judge_all(rules, facts), self.RULE) == []

    @pytest.mark.parametrize("coordinators", [0, 2])
    def test_not_judged_without_exactly_one_coordinator(self, coordinators: int) -> None:
        partners = [coordinator(f"c{n}") for n in range(coordinators)] + [partner("a")]
        assert of_rule(judge_all(consortium_rules(), proposal(*partners)), self.RULE) == []


class TestSelfFundedPartners:
    RULE = "consortium.self_funded_partner"

    def outsider(self, requested: str) -> PartnerFacts:
        return partner(
            "o",
            organisation_name="Oxbridge Ltd",
            region_code="UK-LDN",
            country="GB",
            currency="GBP",
            requested_funding=Decimal(requested),
        )

    def test_self_funded_partner_requesting_nothing_passes(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), partner(), self.outsider("0"))
        assert verdict.outcome is PASS
        assert (verdict.partner_id, verdict.region_code) == ("o", "UK-LDN")
        assert verdict.reason == (
            "Oxbridge Ltd is from region UK-LDN, which does not take part in the call; "
            "it takes part at its own cost and requests no funding"
        )

    def test_self_funded_partner_requesting_a_cent_fails(self) -> None:
        verdict = judge(self.RULE, consortium_rules(), partner(), self.outsider("0.01"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "Oxbridge Ltd is from region UK-LDN, which does not take part in the call, so it must fund itself, "
            "but it requests 0.01 GBP"
        )
        assert verdict.details == {"requested": "0.01"}

    def test_call_without_self_funded_partners_refuses_them(self) -> None:
        rules = consortium_rules(self_funded_partners_allowed=False)
        verdict = judge(self.RULE, rules, partner(), self.outsider("0"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "Oxbridge Ltd is from region UK-LDN, which does not take part in the call, "
            "and this call does not accept self-funded partners"
        )

    def test_funded_partners_get_no_verdict(self) -> None:
        facts = proposal(partner("a"), partner("b", region_code="CH-FR", currency="CHF"))
        assert of_rule(judge_all(consortium_rules(self_funded_partners_allowed=False), facts), self.RULE) == []


class TestPartnerShare:
    RULE = "consortium.max_share_per_partner"
    RULES = consortium_rules(max_share_per_partner=Decimal("0.7"))

    def shares(self, *partners: PartnerFacts, rates: dict[str, Decimal] | None = None) -> list[Verdict]:
        return of_rule(judge_all(self.RULES, proposal(*partners), rates), self.RULE)

    def test_exactly_at_the_maximum_passes(self) -> None:
        verdicts = self.shares(costing("a", "70000.00", organisation_name="Acme"), costing("b", "30000.00"))
        assert [v.outcome for v in verdicts] == [PASS, PASS]
        assert (verdicts[0].partner_id, verdicts[0].region_code) == ("a", "DE-BY")
        assert verdicts[0].reason == (
            "Acme holds 70% of the total budget: costs of 70,000.00 EUR out of 100,000.00 EUR, "
            "within the maximum of 70% per partner"
        )
        assert verdicts[0].details == {
            "costs": "70000.00",
            "total": "100000.00",
            "share": "0.700000",
            "limit": "0.7",
            "currency": "EUR",
        }

    def test_one_cent_over_the_maximum_fails(self) -> None:
        verdicts = self.shares(costing("a", "70000.01", organisation_name="Acme"), costing("b", "29999.99"))
        assert verdicts[0].outcome is FAIL
        assert verdicts[0].reason == (
            "Acme holds 70.01% of the total budget: costs of 70,000.01 EUR out of 100,000.00 EUR, "
            "above the maximum of 70% per partner"
        )

    def test_mixed_currencies_are_compared_in_the_reporting_currency(self) -> None:
        # Unconverted, 69,000 of 99,000 is 69.7%; at 1 CHF = 1.05 EUR it is 72,450 of 102,450: 70.72%.
        verdicts = self.shares(costing("a", "30000"), swiss("b", "69000", organisation_name="Uni Fribourg"))
        assert [v.outcome for v in verdicts] == [PASS, FAIL]
        assert verdicts[1].region_code == "CH-FR"
        assert verdicts[1].reason == (
            "Uni Fribourg holds 70.72% of the total budget: costs of 69,000.00 CHF (72,450.00 EUR) out of "
            "102,450.00 EUR, above the maximum of 70% per partner; budgets in different currencies are "
            "compared in EUR at the call's rates (1 CHF = 1.05 EUR)"
        )
        assert verdicts[1].details["costs"] == "72450.00"

    def test_converted_costs_exactly_at_the_maximum_pass(self) -> None:
        # 70,000 CHF = 73,500 EUR, which is exactly 70% of 105,000 EUR.
        verdicts = self.shares(costing("a", "31500.00"), swiss("b", "70000.00"))
        assert verdicts[1].outcome is PASS
        assert "holds 70% of the total budget: costs of 70,000.00 CHF (73,500.00 EUR)" in verdicts[1].reason
        verdicts = self.shares(costing("a", "31499.99"), swiss("b", "70000.00"))
        assert verdicts[1].outcome is FAIL
        assert "holds 70.01% of the total budget" in verdicts[1].reason

    def test_the_reporting_currency_can_be_named(self) -> None:
        parity = {"EUR": Decimal(1), "CHF": Decimal(1)}
        facts = proposal(costing("a", "50"), swiss("b", "50"))
        verdicts = evaluate_consortium(self.RULES, facts, PARTICIPATING, parity, reporting_currency="EUR")
        assert only(of_rule(verdicts, self.RULE)[1:], self.RULE).reason.endswith("(1 CHF = 1 EUR)")

    def test_an_ambiguous_reporting_currency_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="cannot tell the reporting currency"):
            self.shares(costing("a", "50"), swiss("b", "50"), rates={"EUR": Decimal(1), "CHF": Decimal(1)})

    def test_a_currency_without_rate_needs_a_human(self) -> None:
        outsider = costing("o", "100", region_code="UK-LDN", currency="GBP")
        verdict = only(self.shares(costing("a", "100"), outsider), self.RULE)
        assert verdict.outcome is NEEDS_HUMAN
        assert verdict.reason == (
            "cannot compare budget shares: the call fixes no conversion rate for GBP, so the budgets in "
            "different currencies cannot be added up"
        )

    def test_a_draft_without_costs_gets_no_share_verdicts(self) -> None:
        assert self.shares(costing("a", "0"), costing("b", "0")) == []


class TestRegionShare:
    RULE = "consortium.max_share_per_region"
    RULES = consortium_rules(max_share_per_region=Decimal("0.7"))

    def shares(self, *partners: PartnerFacts) -> list[Verdict]:
        return of_rule(judge_all(self.RULES, proposal(*partners)), self.RULE)

    def test_partners_of_a_region_add_up(self) -> None:
        verdicts = self.shares(
            costing("a", "40000"), costing("b", "30000.01"), costing("c", "29999.99", region_code="AT-4")
        )
        assert [(v.region_code, v.outcome) for v in verdicts] == [("AT-4", PASS), ("DE-BY", FAIL)]
        assert verdicts[1].reason == (
            "the partners from region DE-BY hold 70.01% of the total budget: 70,000.01 EUR out of "
            "100,000.00 EUR, above the maximum of 70% per region"
        )

    def test_exactly_at_the_maximum_passes(self) -> None:
        verdicts = self.shares(costing("a", "40000"), costing("b", "30000"), costing("c", "30000", region_code="AT-4"))
        assert [v.outcome for v in verdicts] == [PASS, PASS]

    def test_chf_region_is_converted(self) -> None:
        verdicts = self.shares(costing("a", "30000"), swiss("b", "40000"), swiss("c", "29000"))
        assert [(v.region_code, v.outcome) for v in verdicts] == [("CH-FR", FAIL), ("DE-BY", PASS)]
        assert verdicts[0].reason.startswith(
            "the partners from region CH-FR hold 70.72% of the total budget: 72,450.00 EUR out of 102,450.00 EUR"
        )
        assert verdicts[0].reason.endswith("compared in EUR at the call's rates (1 CHF = 1.05 EUR)")


class TestSmeShare:
    RULE = "consortium.min_sme_share"
    RULES = consortium_rules(min_sme_share=Decimal("0.5"))

    def judge_sme(self, *partners: PartnerFacts) -> Verdict:
        return only(judge_all(self.RULES, proposal(*partners)), self.RULE)

    def test_exactly_at_the_minimum_passes(self) -> None:
        verdict = self.judge_sme(costing("a", "50000"), costing("b", "50000", organisation_type="university"))
        assert verdict.outcome is PASS
        assert verdict.reason == (
            "SMEs hold 50% of the total budget: 50,000.00 EUR out of 100,000.00 EUR, meeting the minimum of 50%"
        )

    def test_one_cent_below_the_minimum_fails(self) -> None:
        verdict = self.judge_sme(costing("a", "49999.99"), costing("b", "50000.01", organisation_type="university"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "SMEs hold 49.99% of the total budget: 49,999.99 EUR out of 100,000.00 EUR, below the minimum of 50%"
        )

    def test_smes_of_other_types_count(self) -> None:
        cluster = costing("a", "50000", organisation_type="cluster_organisation", is_sme=True)
        assert self.judge_sme(cluster, costing("b", "50000", organisation_type="university")).outcome is PASS

    def test_chf_smes_are_converted(self) -> None:
        # 48,000 CHF = 50,400 EUR against 49,600 EUR: 50.4%, though only 49.2% unconverted.
        verdict = self.judge_sme(swiss("a", "48000"), costing("b", "49600", organisation_type="university"))
        assert verdict.outcome is PASS
        assert verdict.reason.startswith("SMEs hold 50.4% of the total budget: 50,400.00 EUR out of 100,000.00 EUR")


class TestDuration:
    @pytest.mark.parametrize(("months", "outcome"), [(36, PASS), (37, FAIL)])
    def test_maximum_edge(self, months: int, outcome: Outcome) -> None:
        verdict = judge(
            "consortium.duration", consortium_rules(max_duration_months=36), partner(), duration_months=months
        )
        assert verdict.outcome is outcome
        relation = "within" if outcome is PASS else "above"
        assert verdict.reason == f"the project lasts {months} months, {relation} the maximum of 36"


class TestCallTrl:
    @pytest.mark.parametrize(("trl", "outcome"), [(2, FAIL), (3, PASS), (7, PASS), (8, FAIL)])
    def test_range_edges(self, trl: int, outcome: Outcome) -> None:
        verdict = judge("consortium.trl", consortium_rules(trl_min=3, trl_max=7), partner(), trl=trl)
        assert verdict.outcome is outcome
        relation = "within" if outcome is PASS else "outside"
        assert verdict.reason == f"TRL {trl} is {relation} the call's range 3-7"

    def test_only_a_maximum(self) -> None:
        verdict = judge("consortium.trl", consortium_rules(trl_max=4), partner(), trl=1)
        assert (verdict.outcome, verdict.details) == (PASS, {"trl": "1", "trl_min": "1", "trl_max": "4"})


class TestConversionRates:
    RULES = consortium_rules(max_share_per_partner=Decimal("0.7"))

    def test_a_zero_rate_counts_as_missing(self) -> None:
        facts = proposal(costing("a", "100"), swiss("b", "100"))
        verdicts = judge_all(self.RULES, facts, {"EUR": Decimal(1), "CHF": Decimal(0)})
        assert only(verdicts, "consortium.max_share_per_partner").outcome is NEEDS_HUMAN

    def test_no_currency_at_rate_one_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="cannot tell the reporting currency"):
            judge_all(self.RULES, proposal(costing("a", "100")), {"EUR": Decimal(2)})
