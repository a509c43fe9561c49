"""A full pre-check on the Alpine example call: 11 regions, EUR and CHF, read from alpine-call.json."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.rules.from_config import consortium_rules_from_dict, regional_rules_by_code, reporting_rates_from_dict
from shared.rules.model import OrganisationType, Outcome, PartnerFacts, ProposalFacts, RegionalRules
from shared.rules.precheck import PrecheckReport, precheck
from shared.rules.regional import evaluate_partner
from tests.unit.rules.rules_builders import load_alpine_call, only, partner, proposal

REGION_CODES = ["AT-4", "AT-5", "CH-FR", "DE-BW", "DE-BY", "FR-BFC", "IT-21", "IT-25", "IT-32", "IT-34", "SI"]


def alpine_precheck(facts: ProposalFacts) -> PrecheckReport:
    call = load_alpine_call()
    return precheck(
        consortium_rules_from_dict(call), regional_rules_by_code(call), reporting_rates_from_dict(call), facts
    )


def alpine_region(code: str) -> RegionalRules:
    return regional_rules_by_code(load_alpine_call())[code]


def alpenwerk(**fields: Any) -> PartnerFacts:
    """A Bavarian SME coordinator asking for exactly 50% of 200,000.00 EUR, 10% of it subcontracted."""
    return partner(
        "alpenwerk",
        **{
            "organisation_name": "Alpenwerk GmbH",
            "role": "coordinator",
            "costs": {"personnel": Decimal("180000.00"), "subcontracting": Decimal("20000.00")},
            "requested_funding": Decimal("100000.00"),
            **fields,
        },
    )


def unifr(**fields: Any) -> PartnerFacts:
    """A Fribourg university asking for 100% of 150,000.00 CHF: exactly the canton's cap per partner."""
    return partner(
        "unifr",
        **{
            "organisation_name": "University of Fribourg",
            "organisation_type": "university",
            "region_code": "CH-FR",
            "country": "CH",
            "currency": "CHF",
            "costs": {"personnel": Decimal("150000.00")},
            "requested_funding": Decimal("150000.00"),
            **fields,
        },
    )


def polimi_lab() -> PartnerFacts:
    """A Lombard research organisation asking for 80% of 120,000.00 EUR."""
    return partner(
        "lab",
        organisation_name="Lombardy Materials Lab",
        organisation_type="research_organisation",
        region_code="IT-25",
        country="IT",
        costs={"personnel": Decimal("120000.00")},
        requested_funding=Decimal("96000.00"),
    )


def alpine_proposal(*partners: PartnerFacts, **fields: Any) -> ProposalFacts:
    return proposal(
        *partners,
        **{"s3_areas": {"advanced manufacturing", "circular economy"}, "trl": 5, "duration_months": 36, **fields},
    )


def failures(report: PrecheckReport) -> set[tuple[str, str | None, str | None]]:
    return {(v.rule, v.partner_id, v.region_code) for v in report.verdicts() if v.outcome is Outcome.FAIL}


class TestEligibleConsortium:
    def test_passes_every_automatic_rule_and_leaves_the_manual_checks(self) -> None:
        report = alpine_precheck(alpine_proposal(alpenwerk(), unifr(), polimi_lab()))
        assert failures(report) == set()
        assert (report.has_failures, report.needs_human, report.outcome) == (False, True, Outcome.NEEDS_HUMAN)
        manual = {(v.partner_id, v.reason) for v in report.verdicts() if v.outcome is Outcome.NEEDS_HUMAN}
        assert manual == {
            ("alpenwerk", "an officer of Bavaria must check: de minimis state-aid declaration"),
            ("unifr", "an officer of Canton of Fribourg must check: registered seat in the canton"),
            ("lab", "an officer of Lombardy must check: company registration (DURC) regularity"),
        }

    def test_report_is_grouped_by_the_regions_of_the_partners(self) -> None:
        report = alpine_precheck(alpine_proposal(alpenwerk(), unifr(), polimi_lab()))
        assert list(report.regions) == ["CH-FR", "DE-BY", "IT-25"]
        assert {code: list(region.partners) for code, region in report.regions.items()} == {
            "CH-FR": ["unifr"],
            "DE-BY": ["alpenwerk"],
            "IT-25": ["lab"],
        }

    def test_the_swiss_budget_is_converted_for_the_shares(self) -> None:
        # 150,000 CHF = 157,500 EUR of 477,500 EUR in all: 32.98%.
        report = alpine_precheck(alpine_proposal(alpenwerk(), unifr(), polimi_lab()))
        swiss = [
            v for v in report.consortium if v.rule == "consortium.max_share_per_partner" and v.partner_id == "unifr"
        ]
        assert swiss[0].reason == (
            "University of Fribourg holds 32.98% of the total budget: costs of 150,000.00 CHF (157,500.00 EUR) "
            "out of 477,500.00 EUR, within the maximum of 70% per partner; budgets in different currencies are "
            "compared in EUR at the call's rates (1 CHF = 1.05 EUR)"
        )

    def test_the_funding_rate_reason_in_francs(self) -> None:
        report = alpine_precheck(alpine_proposal(alpenwerk(), unifr(), polimi_lab()))
        rate = only(report.regions["CH-FR"].partners["unifr"], "regional.funding_rate")
        assert rate.reason == (
            "requested 150,000.00 CHF is within 100% of eligible costs (150,000.00 CHF) for a university in "
            "Canton of Fribourg"
        )


class TestFailingConsortium:
    def test_every_broken_rule_is_reported_with_its_numbers(self) -> None:
        greedy_sme = alpenwerk(costs={"personnel": Decimal("100000.00")}, requested_funding=Decimal("62000.00"))
        big_swiss = unifr(costs={"personnel": Decimal("700000.00")}, requested_funding=Decimal("150000.00"))
        salzburg_corp = partner(
            "corp", organisation_type="large_enterprise", region_code="AT-5", country="AT", requested_funding=Decimal(0)
        )
        london = partner("ldn", region_code="UK-LDN", country="GB", currency="EUR", requested_funding=Decimal(1))
        report = alpine_precheck(alpine_proposal(greedy_sme, big_swiss, salzburg_corp, london, trl=3))
        assert failures(report) == {
            ("regional.funding_rate", "alpenwerk", "DE-BY"),
            ("regional.trl", "alpenwerk", "DE-BY"),
            ("regional.organisation_type", "corp", "AT-5"),
            ("consortium.self_funded_partner", "ldn", "UK-LDN"),
            ("consortium.max_share_per_partner", "unifr", "CH-FR"),
            ("consortium.max_share_per_region", None, "CH-FR"),
        }
        reasons = {(v.rule, v.partner_id): v.reason for v in report.verdicts()}
        assert reasons["regional.funding_rate", "alpenwerk"] == (
            "requested 62,000.00 EUR exceeds 50% of eligible costs (100,000.00 EUR) for an SME in Bavaria: "
            "at most 50,000.00 EUR can be requested"
        )
        assert reasons["regional.trl", "alpenwerk"] == "TRL 3 is outside the range 4-7 funded by Bavaria"
        assert reasons["consortium.self_funded_partner", "ldn"].endswith("but it requests 1.00 EUR")
        assert reasons["consortium.max_share_per_partner", "unifr"].startswith(
            "University of Fribourg holds 71.02% of the total budget: costs of 700,000.00 CHF (735,000.00 EUR) "
            "out of 1,035,000.00 EUR, above the maximum of 70% per partner"
        )
        assert report.has_failures and report.outcome is Outcome.FAIL

    def test_a_coordinator_from_outside_the_alpine_regions(self) -> None:
        outsider = partner(
            "ldn", role="coordinator", region_code="UK-LDN", currency="EUR", requested_funding=Decimal(0)
        )
        report = alpine_precheck(alpine_proposal(outsider, unifr(), polimi_lab()))
        assert failures(report) == {("consortium.coordinator_region", "ldn", "UK-LDN")}

    def test_four_partners_from_one_region_break_the_call_maximum(self) -> None:
        partners = [alpenwerk()] + [
            partner(f"by{n}", costs={"personnel": Decimal(1000)}, requested_funding=Decimal(0)) for n in range(3)
        ]
        report = alpine_precheck(alpine_proposal(*partners, unifr()))
        assert ("consortium.max_partners_per_region", None, "DE-BY") in failures(report)


class TestEveryRegion:
    def sme(self, rules: RegionalRules, requested: Decimal) -> PartnerFacts:
        return partner(
            f"sme-{rules.code}",
            region_code=rules.code,
            currency=rules.currency,
            costs={"personnel": Decimal("100000.00")},
            requested_funding=requested,
        )

    def limit(self, rules: RegionalRules) -> Decimal:
        cap = rules.max_grant_per_partner
        assert cap is not None
        return min(rules.funding_rates[OrganisationType.SME] * Decimal("100000.00"), cap)

    @pytest.mark.parametrize("code", REGION_CODES)
    def test_an_sme_at_the_limit_passes_in_its_own_currency(self, code: str) -> None:
        rules = alpine_region(code)
        facts = alpine_proposal(trl=5, s3_areas=rules.s3_areas)
        verdicts = [
            v
            for v in evaluate_partner(rules, self.sme(rules, self.limit(rules)), facts)
            if v.outcome is not Outcome.NEEDS_HUMAN
        ]
        assert {v.outcome for v in verdicts} == {Outcome.PASS}
        assert all(rules.currency in v.reason for v in verdicts if v.rule == "regional.funding_rate")

    @pytest.mark.parametrize("code", REGION_CODES)
    def test_an_sme_one_cent_over_the_limit_fails(self, code: str) -> None:
        rules = alpine_region(code)
        facts = alpine_proposal(trl=5, s3_areas=rules.s3_areas)
        over = self.sme(rules, self.limit(rules) + Decimal("0.01"))
        failed = {v.rule for v in evaluate_partner(rules, over, facts) if v.outcome is Outcome.FAIL}
        assert failed == {"regional.funding_rate"}
