"""The input models: exact decimals, consistent configuration, and the wording helpers."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
from pydantic import ValidationError

from shared.rules.model import (
    ConsortiumRules,
    OrganisationType,
    Outcome,
    Verdict,
    exact_amount,
    format_money,
    format_percent,
    format_share_against,
    outcome_of,
)
from tests.unit.rules.rules_builders import partner, proposal, region


def verdict(outcome: Outcome) -> Verdict:
    return Verdict(rule="test.rule", outcome=outcome, reason="because")


class TestAmountsAreExact:
    def test_float_input_becomes_the_decimal_of_its_text(self) -> None:
        rules = ConsortiumRules(max_share_per_partner=0.7)
        assert rules.max_share_per_partner == Decimal("0.7")

    def test_amount_with_more_than_cents_is_rejected(self) -> None:
        with pytest.raises(ValidationError, match="decimal places"):
            partner(requested_funding=Decimal("10.001"))

    def test_negative_amount_is_rejected(self) -> None:
        with pytest.raises(ValidationError):
            partner(costs={"personnel": Decimal("-1")})

    def test_total_costs_add_every_category(self) -> None:
        facts = partner(costs={"personnel": Decimal("100.10"), "travel": Decimal("0.90")})
        assert facts.total_costs == Decimal("101.00")

    def test_currency_must_be_an_iso_code(self) -> None:
        with pytest.raises(ValidationError):
            partner(currency="eur")


class TestConfigurationIsConsistent:
    @pytest.mark.parametrize("share", ["0", "1.01", "-0.1"])
    def test_caps_are_shares_in_zero_to_one(self, share: str) -> None:
        with pytest.raises(ValidationError):
            ConsortiumRules(max_share_per_partner=Decimal(share))

    def test_a_cap_of_exactly_one_is_allowed(self) -> None:
        assert ConsortiumRules(max_share_per_region=Decimal(1)).max_share_per_region == 1

    def test_every_eligible_type_needs_a_funding_rate(self) -> None:
        with pytest.raises(ValidationError, match="no funding rate for eligible organisation types: ngo"):
            region(eligible_organisation_types={"sme", "ngo"})

    def test_funding_rate_above_one_is_rejected(self) -> None:
        with pytest.raises(ValidationError):
            region(funding_rates={"sme": "1.5", "university": "1", "research_organisation": "1"})

    @pytest.mark.parametrize("build", [region, ConsortiumRules])
    def test_trl_range_must_be_ordered(self, build: type) -> None:
        with pytest.raises(ValidationError, match="trl_min 6 is above trl_max 4"):
            build(trl_min=6, trl_max=4)

    def test_trl_outside_one_to_nine_is_rejected(self) -> None:
        with pytest.raises(ValidationError):
            proposal(trl=10)

    def test_region_needs_s3_areas(self) -> None:
        with pytest.raises(ValidationError):
            region(s3_areas=set())

    def test_sme_type_must_be_flagged_sme(self) -> None:
        with pytest.raises(ValidationError, match="must have is_sme set"):
            partner(organisation_type="sme", is_sme=False)

    def test_other_types_may_be_smes(self) -> None:
        assert partner(organisation_type="cluster_organisation", is_sme=True).is_sme

    def test_partner_ids_are_unique(self) -> None:
        with pytest.raises(ValidationError, match="duplicate partner ids: p1"):
            proposal(partner("p1"), partner("p1"))

    def test_models_are_frozen(self) -> None:
        with pytest.raises(ValidationError):
            partner().requested_funding = Decimal(1)  # type: ignore[misc]

    def test_unknown_fields_are_rejected(self) -> None:
        with pytest.raises(ValidationError):
            ConsortiumRules(max_partners=3)  # type: ignore[call-arg]


class TestWording:
    @pytest.mark.parametrize(
        ("amount", "currency", "text"),
        [
            ("62000", "EUR", "62,000.00 EUR"),
            ("0", "CHF", "0.00 CHF"),
            ("1234567.891", "EUR", "1,234,567.89 EUR"),
            ("0.005", "EUR", "0.01 EUR"),
            ("999.995", "CHF", "1,000.00 CHF"),
        ],
    )
    def test_money(self, amount: str, currency: str, text: str) -> None:
        assert format_money(Decimal(amount), currency) == text

    def test_computed_limits_round_down(self) -> None:
        assert format_money(Decimal("14999.9985"), "EUR", rounding=ROUND_DOWN) == "14,999.99 EUR"

    @pytest.mark.parametrize(
        ("share", "text"),
        [
            ("0.5", "50%"),
            ("0.125", "12.5%"),
            ("1", "100%"),
            ("1.0", "100%"),
            ("0.1", "10%"),
            ("0.70", "70%"),
            ("0.05", "5%"),
            ("0", "0%"),
            ("0.333333", "33.33%"),
            ("0.00001", "0%"),
        ],
    )
    def test_percent_strips_trailing_zeros(self, share: str, text: str) -> None:
        assert format_percent(Decimal(share)) == text

    @pytest.mark.parametrize(
        ("share", "limit", "text"),
        [
            ("0.7000001", "0.7", "70.01%"),
            ("0.6999999", "0.7", "69.99%"),
            ("0.7", "0.7", "70%"),
            ("0.4999999", "0.5", "49.99%"),
        ],
    )
    def test_shares_are_rounded_away_from_their_limit(self, share: str, limit: str, text: str) -> None:
        assert format_share_against(Decimal(share), Decimal(limit)) == text

    @pytest.mark.parametrize(
        ("amount", "text"), [("130000", "130000.00"), ("0.5", "0.50"), ("34999.9965", "34999.9965")]
    )
    def test_amounts_in_details_are_cents_unless_that_rounds(self, amount: str, text: str) -> None:
        assert exact_amount(Decimal(amount)) == text

    @pytest.mark.parametrize(
        ("kind", "text"),
        [
            (OrganisationType.SME, "an SME"),
            (OrganisationType.NGO, "an NGO"),
            (OrganisationType.UNIVERSITY, "a university"),
            (OrganisationType.RESEARCH_ORGANISATION, "a research organisation"),
            (OrganisationType.LARGE_ENTERPRISE, "a large enterprise"),
            (OrganisationType.PUBLIC_BODY, "a public body"),
            (OrganisationType.CLUSTER_ORGANISATION, "a cluster organisation"),
        ],
    )
    def test_organisation_types_in_words(self, kind: OrganisationType, text: str) -> None:
        assert kind.with_article == text


class TestOutcomeOf:
    def test_no_verdicts_pass(self) -> None:
        assert outcome_of([]) is Outcome.PASS

    def test_all_pass(self) -> None:
        assert outcome_of([verdict(Outcome.PASS)] * 3) is Outcome.PASS

    def test_a_manual_check_needs_a_human(self) -> None:
        assert outcome_of([verdict(Outcome.PASS), verdict(Outcome.NEEDS_HUMAN)]) is Outcome.NEEDS_HUMAN

    def test_a_failure_wins_over_manual_checks(self) -> None:
        verdicts = [verdict(Outcome.NEEDS_HUMAN), verdict(Outcome.FAIL), verdict(Outcome.PASS)]
        assert outcome_of(verdicts) is Outcome.FAIL

    def test_accepts_any_iterable(self) -> None:
        assert outcome_of(iter([verdict(Outcome.FAIL)])) is Outcome.FAIL
