"""Properties over generated facts: each rule passes exactly when its arithmetic says so."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.rules.consortium import evaluate_consortium
from shared.rules.model import (
    Outcome,
    PartnerFacts,
    Verdict,
    format_money,
    format_percent,
    format_share_against,
    outcome_of,
)
from shared.rules.precheck import precheck
from shared.rules.regional import evaluate_partner, evaluate_region
from tests.unit.rules.rules_builders import consortium_rules, fribourg, of_rule, only, partner, proposal, region

CATEGORIES = ("personnel", "travel", "equipment", "subcontracting")

amounts = st.decimals(min_value=0, max_value=10_000_000, places=2)
fractions = st.decimals(min_value=0, max_value=1, places=4)
caps = st.decimals(min_value=Decimal("0.0001"), max_value=1, places=4)
cost_sheets = st.dictionaries(st.sampled_from(CATEGORIES), amounts, max_size=len(CATEGORIES))
outcomes = st.sampled_from(list(Outcome))


@given(
    rate=fractions,
    costs=cost_sheets,
    eligible=st.none() | st.frozensets(st.sampled_from(CATEGORIES)),
    requested=amounts,
)
def test_funding_rate_passes_iff_request_within_rate_of_eligible_costs(
    rate: Decimal, costs: dict[str, Decimal], eligible: frozenset[str] | None, requested: Decimal
) -> None:
    rules = region(
        funding_rates={"sme": rate, "university": 1, "research_organisation": 1}, eligible_cost_categories=eligible
    )
    facts = partner(costs=costs, requested_funding=requested)
    eligible_total = sum((a for c, a in costs.items() if eligible is None or c in eligible), Decimal(0))
    verdict = only(evaluate_partner(rules, facts, proposal(facts)), "regional.funding_rate")
    assert (verdict.outcome is Outcome.PASS) == (requested <= rate * eligible_total)
    assert ("exceeds" in verdict.reason) == (verdict.outcome is Outcome.FAIL)


@given(cap=caps, costs=cost_sheets)
def test_cost_cap_passes_iff_category_within_share_of_total(cap: Decimal, costs: dict[str, Decimal]) -> None:
    facts = partner(costs=costs)
    verdict = only(
        evaluate_partner(region(cost_caps={"subcontracting": cap}), facts, proposal(facts)), "regional.cost_cap"
    )
    amount = costs.get("subcontracting", Decimal(0))
    assert (verdict.outcome is Outcome.PASS) == (amount <= cap * sum(costs.values(), Decimal(0)))


@given(cap=amounts, requests=st.lists(amounts, max_size=5))
def test_max_grant_per_proposal_passes_iff_sum_within_cap(cap: Decimal, requests: list[Decimal]) -> None:
    partners = [
        partner(f"p{n}", region_code="CH-FR", currency="CHF", requested_funding=r) for n, r in enumerate(requests)
    ]
    verdicts = evaluate_region(fribourg(max_grant_per_proposal=cap), partners, proposal(*partners))
    verdict = only(verdicts, "regional.max_grant_per_proposal")
    assert (verdict.outcome is Outcome.PASS) == (sum(requests, Decimal(0)) <= cap)
    assert "CHF" in verdict.reason


@given(
    maximum=caps,
    chf_rate=st.decimals(min_value=Decimal("0.5"), max_value=2, places=4),
    euro_costs=st.lists(amounts, min_size=1, max_size=3),
    franc_costs=st.lists(amounts, min_size=1, max_size=3),
)
def test_partner_share_compares_converted_costs(
    maximum: Decimal, chf_rate: Decimal, euro_costs: list[Decimal], franc_costs: list[Decimal]
) -> None:
    partners = [_costing(f"e{n}", a, "DE-BY", "EUR") for n, a in enumerate(euro_costs)]
    partners += [_costing(f"c{n}", a, "CH-FR", "CHF") for n, a in enumerate(franc_costs)]
    rates = {"EUR": Decimal(1), "CHF": chf_rate}
    converted = {p.partner_id: p.total_costs * rates[p.currency] for p in partners}
    total = sum(converted.values(), Decimal(0))
    verdicts = of_rule(
        evaluate_consortium(
            consortium_rules(max_share_per_partner=maximum),
            proposal(*partners),
            {"DE-BY": "EUR", "CH-FR": "CHF"},
            rates,
            reporting_currency="EUR",  # CHF may be drawn at par
        ),
        "consortium.max_share_per_partner",
    )
    if not total:
        assert verdicts == []
        return
    assert {v.partner_id: v.outcome is Outcome.PASS for v in verdicts} == {
        pid: costs <= maximum * total for pid, costs in converted.items()
    }


def _costing(partner_id: str, amount: Decimal, region_code: str, currency: str) -> PartnerFacts:
    return partner(
        partner_id,
        region_code=region_code,
        currency=currency,
        costs={"personnel": amount},
        requested_funding=Decimal(0),
    )


@given(requests=st.lists(st.tuples(st.sampled_from(["DE-BY", "CH-FR", "UK-LDN"]), amounts), min_size=1, max_size=6))
def test_precheck_summary_agrees_with_its_verdicts(requests: list[tuple[str, Decimal]]) -> None:
    currencies = {"DE-BY": "EUR", "CH-FR": "CHF", "UK-LDN": "EUR"}
    partners = [
        partner(f"p{n}", region_code=code, currency=currencies[code], requested_funding=requested)
        for n, (code, requested) in enumerate(requests)
    ]
    regions = {"DE-BY": region(manual_checks=["state aid"]), "CH-FR": fribourg()}
    rates = {"EUR": Decimal(1), "CHF": Decimal("1.05")}
    report = precheck(consortium_rules(max_share_per_partner=Decimal("0.7")), regions, rates, proposal(*partners))
    verdicts = report.verdicts()
    assert report.has_failures == any(v.outcome is Outcome.FAIL for v in verdicts)
    assert report.needs_human == any(v.outcome is Outcome.NEEDS_HUMAN for v in verdicts)
    assert report.outcome is outcome_of(verdicts)
    for code, region_report in report.regions.items():
        assert set(region_report.partners) == {p.partner_id for p in partners if p.region_code == code}


@given(st.lists(outcomes))
def test_outcome_of_is_the_worst_outcome(found: list[Outcome]) -> None:
    verdicts = [Verdict(rule="r", outcome=o, reason="-") for o in found]
    severity = [Outcome.PASS, Outcome.NEEDS_HUMAN, Outcome.FAIL]
    assert outcome_of(verdicts) is max(found, key=severity.index, default=Outcome.PASS)


@given(amounts)
def test_money_text_reads_back_as_the_amount(amount: Decimal) -> None:
    number, currency = format_money(amount, "CHF").split(" ")
    assert (Decimal(number.replace(",", "")), currency) == (amount, "CHF")


@given(st.decimals(min_value=0, max_value=1, places=4))
def test_percent_text_reads_back_as_the_share(share: Decimal) -> None:
    assert Decimal(format_percent(share).removesuffix("%")) / 100 == share


@given(share=st.decimals(min_value=0, max_value=1, places=12), limit=caps)
def test_a_shown_share_is_on_the_same_side_of_its_limit(share: Decimal, limit: Decimal) -> None:
    shown = Decimal(format_share_against(share, limit).removesuffix("%")) / 100
    assert (shown > limit) == (share > limit)
    assert (shown < limit) == (share < limit)
