"""Regional rules: each rule of a region's annex on one partner, and on the region's partners together."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.rules.model import Outcome, PartnerFacts, RegionalRules, Verdict
from shared.rules.regional import eligible_costs, evaluate_partner, evaluate_region
from tests.unit.rules.rules_builders import fribourg, of_rule, only, partner, proposal, region

PASS, FAIL, NEEDS_HUMAN = Outcome.PASS, Outcome.FAIL, Outcome.NEEDS_HUMAN


def judge(rule: str, facts: PartnerFacts, rules: RegionalRules | None = None, **proposal_fields: object) -> Verdict:
    rules = rules or region()
    return only(evaluate_partner(rules, facts, proposal(facts, **proposal_fields)), rule)


def judged_rules(facts: PartnerFacts, rules: RegionalRules) -> list[str]:
    return [v.rule for v in evaluate_partner(rules, facts, proposal(facts))]


class TestEvaluatePartner:
    def test_rules_come_in_a_stable_order_with_manual_checks_last(self) -> None:
        rules = region(trl_min=3, eligible_cost_categories={"personnel"}, manual_checks=["state aid"])
        assert judged_rules(partner(), rules) == [
            "regional.organisation_type",
            "regional.established_in_region",
            "regional.currency",
            "regional.funding_rate",
            "regional.max_grant_per_partner",
            "regional.s3_areas",
            "regional.trl",
            "regional.cost_categories",
            "regional.cost_cap",
            "regional.manual_check",
        ]

    def test_every_verdict_names_the_partner_and_region(self) -> None:
        verdicts = evaluate_partner(region(manual_checks=["x"]), partner("acme"), proposal(partner("acme")))
        assert {(v.partner_id, v.region_code) for v in verdicts} == {("acme", "DE-BY")}

    def test_an_eligible_partner_passes_everything(self) -> None:
        verdicts = evaluate_partner(region(), partner(), proposal(partner()))
        assert {v.outcome for v in verdicts} == {PASS}

    def test_a_partner_of_another_region_is_a_programming_error(self) -> None:
        stranger = partner(region_code="AT-4")
        with pytest.raises(ValueError, match="is from AT-4, not DE-BY"):
            evaluate_partner(region(), stranger, proposal(stranger))

    def test_unconfigured_optional_rules_give_no_verdict(self) -> None:
        rules = region(max_grant_per_partner=None, cost_caps={}, must_be_established_in_region=False)
        assert judged_rules(partner(), rules) == [
            "regional.organisation_type",
            "regional.currency",
            "regional.funding_rate",
            "regional.s3_areas",
        ]


class TestOrganisationType:
    def test_eligible_type_passes(self) -> None:
        verdict = judge("regional.organisation_type", partner())
        assert verdict.outcome is PASS
        assert verdict.reason == "an SME is eligible for funding in Bavaria"
        assert verdict.details == {"organisation_type": "sme"}

    def test_ineligible_type_fails_and_lists_the_eligible_ones(self) -> None:
        verdict = judge("regional.organisation_type", partner(organisation_type="large_enterprise"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "a large enterprise is not eligible for funding in Bavaria "
            "(eligible: SME, research organisation, university)"
        )

    def test_ineligible_type_gets_no_funding_rate_verdict(self) -> None:
        facts = partner(organisation_type="ngo")
        assert of_rule(evaluate_partner(region(), facts, proposal(facts)), "regional.funding_rate") == []


class TestEstablishedInRegion:
    def test_established_partner_passes(self) -> None:
        verdict = judge("regional.established_in_region", partner(organisation_name="Acme GmbH"))
        assert (verdict.outcome, verdict.reason) == (PASS, "Acme GmbH is established in Bavaria")

    def test_partner_established_elsewhere_fails(self) -> None:
        facts = partner(organisation_name="Acme GmbH", established_in_region=False)
        verdict = judge("regional.established_in_region", facts)
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "Acme GmbH is not established in Bavaria, which funds only organisations established there"
        )

    def test_not_checked_when_the_region_does_not_require_it(self) -> None:
        facts = partner(established_in_region=False)
        rules = region(must_be_established_in_region=False)
        assert "regional.established_in_region" not in judged_rules(facts, rules)


class TestCurrency:
    def test_budget_in_the_region_currency_passes(self) -> None:
        facts = partner(region_code="CH-FR", currency="CHF")
        verdict = judge("regional.currency", facts, fribourg())
        assert (verdict.outcome, verdict.reason) == (PASS, "the budget is in CHF, the currency of Canton of Fribourg")

    def test_budget_in_another_currency_fails(self) -> None:
        facts = partner(region_code="CH-FR", currency="EUR")
        verdict = judge("regional.currency", facts, fribourg())
        assert verdict.outcome is FAIL
        assert verdict.reason == "the budget is in EUR, but Canton of Fribourg funds in CHF"
        assert verdict.details == {"currency": "EUR", "region_currency": "CHF"}

    def test_absolute_caps_in_another_currency_need_a_human(self) -> None:
        facts = partner(region_code="CH-FR", currency="EUR", requested_funding=Decimal(1))
        verdict = judge("regional.max_grant_per_partner", facts, fribourg())
        assert verdict.outcome is NEEDS_HUMAN
        assert verdict.reason == ("cannot compare: the request is in EUR but the cap of Canton of Fribourg is in CHF")


class TestFundingRate:
    RULE = "regional.funding_rate"

    def test_the_reason_names_the_numbers(self) -> None:
        verdict = judge(self.RULE, partner(requested_funding=Decimal("62000.00")))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "requested 62,000.00 EUR exceeds 50% of eligible costs (100,000.00 EUR) for an SME in Bavaria: "
            "at most 50,000.00 EUR can be requested"
        )
        assert verdict.details == {
            "requested": "62000.00",
            "rate": "0.5",
            "eligible_costs": "100000.00",
            "limit": "50000.00",
        }

    def test_exactly_at_the_rate_passes(self) -> None:
        verdict = judge(self.RULE, partner(requested_funding=Decimal("50000.00")))
        assert verdict.outcome is PASS
        assert verdict.reason == (
            "requested 50,000.00 EUR is within 50% of eligible costs (100,000.00 EUR) for an SME in Bavaria"
        )

    def test_one_cent_over_the_rate_fails(self) -> None:
        assert judge(self.RULE, partner(requested_funding=Decimal("50000.01"))).outcome is FAIL

    def test_a_limit_below_a_cent_boundary_is_shown_rounded_down(self) -> None:
        # 45% of 33,333.33 is 14,999.9985: 14,999.99 may be requested, 15,000.00 may not.
        rules = region(funding_rates={"sme": "0.45", "university": "1", "research_organisation": "1"})
        costs = {"personnel": Decimal("33333.33")}
        allowed = judge(self.RULE, partner(costs=costs, requested_funding=Decimal("14999.99")), rules)
        refused = judge(self.RULE, partner(costs=costs, requested_funding=Decimal("15000.00")), rules)
        assert (allowed.outcome, refused.outcome) == (PASS, FAIL)
        assert refused.reason.endswith("at most 14,999.99 EUR can be requested")

    def test_rate_per_organisation_type(self) -> None:
        university = partner(organisation_type="university", requested_funding=Decimal("100000.00"))
        verdict = judge(self.RULE, university)
        assert verdict.outcome is PASS
        assert "within 100% of eligible costs (100,000.00 EUR) for a university in Bavaria" in verdict.reason

    def test_only_eligible_cost_categories_count(self) -> None:
        rules = region(eligible_cost_categories={"personnel", "travel"})
        costs = {"personnel": Decimal("80000"), "travel": Decimal("20000"), "equipment": Decimal("50000")}
        facts = partner(costs=costs, requested_funding=Decimal("50000.01"))
        assert eligible_costs(rules, facts) == Decimal("100000")
        verdict = judge(self.RULE, facts, rules)
        assert verdict.outcome is FAIL
        assert "50% of eligible costs (100,000.00 EUR)" in verdict.reason

    def test_every_category_is_eligible_when_none_are_named(self) -> None:
        facts = partner(costs={"personnel": Decimal("1.10"), "equipment": Decimal("2.20")})
        assert eligible_costs(region(), facts) == Decimal("3.30")

    def test_a_zero_rate_allows_no_request(self) -> None:
        rates = {"sme": "0", "university": "1", "research_organisation": "1"}
        rules = region(funding_rates=rates)
        assert judge(self.RULE, partner(requested_funding=Decimal(0)), rules).outcome is PASS
        assert judge(self.RULE, partner(requested_funding=Decimal("0.01")), rules).outcome is FAIL

    def test_chf_region_speaks_chf(self) -> None:
        facts = partner(region_code="CH-FR", currency="CHF", requested_funding=Decimal("62000"))
        verdict = judge(self.RULE, facts, fribourg())
        assert verdict.reason.startswith(
            "requested 62,000.00 CHF exceeds 50% of eligible costs (100,000.00 CHF) for an SME in Canton of Fribourg"
        )


class TestMaxGrantPerPartner:
    RULE = "regional.max_grant_per_partner"

    def university(self, requested: str, **fields: Any) -> PartnerFacts:
        return partner(
            organisation_type="university",
            costs={"personnel": Decimal("400000")},
            requested_funding=Decimal(requested),
            **fields,
        )

    def test_exactly_at_the_cap_passes(self) -> None:
        verdict = judge(self.RULE, self.university("250000.00"))
        assert verdict.outcome is PASS
        assert verdict.reason == (
            "requested 250,000.00 EUR is within the maximum grant per partner of 250,000.00 EUR in Bavaria"
        )

    def test_one_cent_over_the_cap_fails(self) -> None:
        verdict = judge(self.RULE, self.university("250000.01"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "requested 250,000.01 EUR exceeds the maximum grant per partner of 250,000.00 EUR in Bavaria"
        )
        assert verdict.details == {"requested": "250000.01", "maximum": "250000.00"}

    @pytest.mark.parametrize(("requested", "outcome"), [("150000.00", PASS), ("150000.01", FAIL)])
    def test_chf_cap(self, requested: str, outcome: Outcome) -> None:
        facts = self.university(requested, region_code="CH-FR", currency="CHF")
        verdict = judge(self.RULE, facts, fribourg())
        assert verdict.outcome is outcome
        assert "maximum grant per partner of 150,000.00 CHF in Canton of Fribourg" in verdict.reason


class TestS3Areas:
    RULE = "regional.s3_areas"

    def test_one_shared_area_is_enough(self) -> None:
        verdict = judge(self.RULE, partner(), s3_areas={"advanced manufacturing", "bio-economy"})
        assert verdict.outcome is PASS
        assert verdict.reason == "the proposal addresses advanced manufacturing, an S3 priority area of Bavaria"
        assert verdict.details == {"overlap": "advanced manufacturing"}

    def test_no_shared_area_fails_and_names_both_sides(self) -> None:
        verdict = judge(self.RULE, partner(), s3_areas={"bio-economy", "eco-innovation"})
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "the proposal addresses bio-economy, eco-innovation, none of which is an S3 priority area of "
            "Bavaria (advanced manufacturing, connected mobility)"
        )

    def test_a_proposal_without_areas_fails(self) -> None:
        verdict = judge(self.RULE, partner(), s3_areas=set())
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "the proposal names no S3 priority area; Bavaria funds only its own "
            "(advanced manufacturing, connected mobility)"
        )

    def test_several_shared_areas_are_all_named(self) -> None:
        verdict = judge(self.RULE, partner(), s3_areas={"connected mobility", "advanced manufacturing"})
        assert verdict.reason == (
            "the proposal addresses advanced manufacturing, connected mobility, S3 priority areas of Bavaria"
        )
        assert verdict.details == {"overlap": "advanced manufacturing, connected mobility"}


class TestTrl:
    RULE = "regional.trl"

    @pytest.mark.parametrize(("trl", "outcome"), [(3, FAIL), (4, PASS), (7, PASS), (8, FAIL)])
    def test_range_edges(self, trl: int, outcome: Outcome) -> None:
        verdict = judge(self.RULE, partner(), region(trl_min=4, trl_max=7), trl=trl)
        assert verdict.outcome is outcome
        relation = "within" if outcome is PASS else "outside"
        assert verdict.reason == f"TRL {trl} is {relation} the range 4-7 funded by Bavaria"

    def test_only_a_minimum(self) -> None:
        assert judge(self.RULE, partner(), region(trl_min=6), trl=9).reason.endswith("the range 6-9 funded by Bavaria")

    def test_no_range_no_verdict(self) -> None:
        assert "regional.trl" not in judged_rules(partner(), region())


class TestCostCategories:
    RULE = "regional.cost_categories"

    def test_costs_in_accepted_categories_pass(self) -> None:
        verdict = judge(self.RULE, partner(), region(eligible_cost_categories={"personnel", "travel"}))
        assert verdict.outcome is PASS
        assert verdict.reason == "all costs are in categories Bavaria funds (personnel, travel)"

    def test_costs_in_other_categories_fail_and_are_named(self) -> None:
        costs = {"personnel": Decimal(1000), "equipment": Decimal("2500.50"), "overheads": Decimal(10)}
        verdict = judge(self.RULE, partner(costs=costs), region(eligible_cost_categories={"personnel"}))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "Bavaria does not fund equipment (2,500.50 EUR), overheads (10.00 EUR); eligible cost categories: personnel"
        )
        assert verdict.details == {"ineligible": "equipment, overheads"}

    def test_a_zero_amount_in_another_category_is_harmless(self) -> None:
        costs = {"personnel": Decimal(1000), "equipment": Decimal(0)}
        verdict = judge(self.RULE, partner(costs=costs), region(eligible_cost_categories={"personnel"}))
        assert verdict.outcome is PASS


class TestCostCaps:
    RULE = "regional.cost_cap"

    def costs(self, subcontracting: str) -> dict[str, Decimal]:
        sub = Decimal(subcontracting)
        return {"personnel": Decimal("100000.00") - sub, "subcontracting": sub}

    def test_exactly_at_the_cap_passes(self) -> None:
        verdict = judge(self.RULE, partner(costs=self.costs("20000.00")))
        assert verdict.outcome is PASS
        assert verdict.reason == (
            "subcontracting of 20,000.00 EUR is 20% of total costs (100,000.00 EUR), within the cap of 20% in Bavaria"
        )
        assert verdict.details == {
            "category": "subcontracting",
            "amount": "20000.00",
            "total_costs": "100000.00",
            "cap": "0.2",
            "share": "0.200000",
        }

    def test_one_cent_over_the_cap_fails_and_shows_the_excess(self) -> None:
        costs = {"personnel": Decimal("80000.00"), "subcontracting": Decimal("20000.01")}
        verdict = judge(self.RULE, partner(costs=costs))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "subcontracting of 20,000.01 EUR is 20.01% of total costs (100,000.01 EUR), above the cap of 20% in Bavaria"
        )

    def test_the_cap_is_a_share_of_all_costs_including_ineligible_ones(self) -> None:
        costs = {"personnel": Decimal(60000), "equipment": Decimal(20000), "subcontracting": Decimal(20000)}
        rules = region(eligible_cost_categories={"personnel", "subcontracting"})
        assert judge(self.RULE, partner(costs=costs), rules).outcome is PASS

    def test_no_costs_in_the_category_pass(self) -> None:
        verdict = judge(self.RULE, partner())
        assert verdict.outcome is PASS
        assert verdict.reason.startswith("subcontracting of 0.00 EUR is 0% of total costs")

    def test_a_partner_without_costs_passes(self) -> None:
        assert judge(self.RULE, partner(costs={}, requested_funding=Decimal(0))).outcome is PASS

    def test_each_cap_is_its_own_verdict(self) -> None:
        rules = region(cost_caps={"subcontracting": "0.2", "equipment": "0.1"})
        facts = partner(costs={"personnel": Decimal(85), "equipment": Decimal(15)}, requested_funding=Decimal(0))
        verdicts = of_rule(evaluate_partner(rules, facts, proposal(facts)), self.RULE)
        assert [(v.details["category"], v.outcome) for v in verdicts] == [("equipment", FAIL), ("subcontracting", PASS)]

    def test_chf_cap(self) -> None:
        facts = partner(region_code="CH-FR", currency="CHF", costs=self.costs("20000.01"))
        verdict = judge(self.RULE, facts, fribourg())
        assert verdict.outcome is FAIL
        assert "subcontracting of 20,000.01 CHF" in verdict.reason


class TestManualChecks:
    def test_each_manual_check_needs_a_human(self) -> None:
        rules = region(manual_checks=["financial viability of companies", "de minimis state-aid declaration"])
        verdicts = of_rule(evaluate_partner(rules, partner(), proposal(partner())), "regional.manual_check")
        assert [(v.outcome, v.reason, v.details) for v in verdicts] == [
            (
                NEEDS_HUMAN,
                "an officer of Bavaria must check: financial viability of companies",
                {"check": "financial viability of companies"},
            ),
            (
                NEEDS_HUMAN,
                "an officer of Bavaria must check: de minimis state-aid declaration",
                {"check": "de minimis state-aid declaration"},
            ),
        ]

    def test_no_manual_checks_no_verdicts(self) -> None:
        assert "regional.manual_check" not in judged_rules(partner(), region())


class TestEvaluateRegion:
    def universities(self, *requests: str, **fields: Any) -> list[PartnerFacts]:
        return [
            partner(
                f"u{number}",
                organisation_type="university",
                costs={"personnel": Decimal(500000)},
                requested_funding=Decimal(requested),
                **fields,
            )
            for number, requested in enumerate(requests)
        ]

    def judge_region(self, rule: str, partners: list[PartnerFacts], rules: RegionalRules | None = None) -> Verdict:
        return only(evaluate_region(rules or region(), partners, proposal(*partners)), rule)

    def test_requests_exactly_at_the_proposal_cap_pass(self) -> None:
        verdict = self.judge_region("regional.max_grant_per_proposal", self.universities("250000", "150000.00"))
        assert verdict.outcome is PASS
        assert (verdict.partner_id, verdict.region_code) == (None, "DE-BY")
        assert verdict.reason == (
            "the 2 partners from Bavaria request 400,000.00 EUR in total, which is within the maximum grant per "
            "proposal of 400,000.00 EUR"
        )

    def test_one_cent_over_the_proposal_cap_fails(self) -> None:
        verdict = self.judge_region("regional.max_grant_per_proposal", self.universities("250000", "150000.01"))
        assert verdict.outcome is FAIL
        assert verdict.reason == (
            "the 2 partners from Bavaria request 400,000.01 EUR in total, which exceeds the maximum grant per "
            "proposal of 400,000.00 EUR"
        )
        assert verdict.details == {"requested": "400000.01", "maximum": "400000.00"}

    def test_a_single_partner_is_worded_in_the_singular(self) -> None:
        verdict = self.judge_region("regional.max_grant_per_proposal", self.universities("1"))
        assert verdict.reason.startswith("the partner from Bavaria requests 1.00 EUR in total")

    @pytest.mark.parametrize(("second", "outcome"), [("70000.00", PASS), ("70000.01", FAIL)])
    def test_chf_proposal_cap(self, second: str, outcome: Outcome) -> None:
        partners = self.universities("150000", second, region_code="CH-FR", currency="CHF")
        verdict = self.judge_region("regional.max_grant_per_proposal", partners, fribourg())
        assert verdict.outcome is outcome
        assert "maximum grant per proposal of 220,000.00 CHF" in verdict.reason

    def test_requests_in_another_currency_need_a_human(self) -> None:
        in_chf, in_eur = self.universities("1", "2", region_code="CH-FR", currency="CHF")
        partners = [in_chf, in_eur.model_copy(update={"currency": "EUR"})]
        verdict = self.judge_region("regional.max_grant_per_proposal", partners, fribourg())
        assert verdict.outcome is NEEDS_HUMAN
        assert verdict.reason == (
            "cannot add up the requests: some are in EUR but the cap of Canton of Fribourg is in CHF"
        )

    @pytest.mark.parametrize(("count", "outcome"), [(2, PASS), (3, FAIL)])
    def test_max_partners_from_the_region(self, count: int, outcome: Outcome) -> None:
        partners = self.universities(*["1"] * count)
        verdict = self.judge_region("regional.max_partners", partners, region(max_partners=2))
        assert verdict.outcome is outcome
        relation = "within" if outcome is PASS else "above"
        assert verdict.reason == f"{count} partners from Bavaria, {relation} its maximum of 2 per proposal"

    def test_unconfigured_region_rules_give_no_verdicts(self) -> None:
        rules = region(max_grant_per_proposal=None)
        assert evaluate_region(rules, self.universities("1"), proposal()) == []

    def test_a_partner_of_another_region_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="partners not from DE-BY: u0"):
            evaluate_region(region(), self.universities("1", region_code="AT-4"), proposal())
