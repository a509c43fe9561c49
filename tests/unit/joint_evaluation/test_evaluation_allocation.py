"""The virtual common pot: walk, skips, exact budgets, currencies, declines, funding gap, and its invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.joint_evaluation.domain.allocation import (
    AllocationResult,
    Decline,
    FundingRequest,
    FundingStatus,
    RegionBudget,
    ReportingCurrency,
    allocate,
    with_top_ups,
)

D = Decimal
FUNDED, RESERVE, DECLINED = FundingStatus.FUNDED, FundingStatus.RESERVE, FundingStatus.DECLINED
EUR = ReportingCurrency("EUR", {"CHF": D("1.05")})


def budgets(**amounts: int | str) -> list[RegionBudget]:
    """Region code -> budget; regions whose code starts with CH are in CHF (``CH_FR`` for CH-FR)."""
    return [
        RegionBudget(code.replace("_", "-"), "CHF" if code.startswith("CH") else "EUR", D(amount))
        for code, amount in amounts.items()
    ]


def request(proposal_id: str, **amounts: int | str) -> FundingRequest:
    return FundingRequest(proposal_id, {code.replace("_", "-"): D(amount) for code, amount in amounts.items()})


def statuses(result: AllocationResult) -> list[tuple[str, FundingStatus]]:
    return [(entry.proposal_id, entry.status) for entry in result.entries]


def region(result: AllocationResult, code: str) -> dict[str, Decimal]:
    (report,) = [r for r in result.regions if r.region == code]
    return {"allocated": report.allocated, "remaining": report.remaining, "gap": report.funding_gap}


def test_proposals_are_funded_best_first_while_every_region_can_pay() -> None:
    result = allocate(
        [request("P1", AT_4=300, DE_BY=200), request("P2", AT_4=200, IT_25=100)],
        budgets(AT_4=800, DE_BY=1200, IT_25=900),
        EUR,
    )
    assert statuses(result) == [("P1", FUNDED), ("P2", FUNDED)]
    assert region(result, "AT-4") == {"allocated": D(500), "remaining": D(300), "gap": D(0)}
    assert result.regions[1].funded_proposals == 1


def test_one_exhausted_region_skips_the_whole_proposal_and_the_walk_goes_on() -> None:
    result = allocate(
        [
            request("P1", SI=250, DE_BY=100),
            request("P2", SI=100, DE_BY=100),  # Slovenia has 50 left
            request("P3", DE_BY=100, IT_25=100),
        ],
        budgets(SI=300, DE_BY=1000, IT_25=500),
        EUR,
    )
    assert statuses(result) == [("P1", FUNDED), ("P2", RESERVE), ("P3", FUNDED)]
    (reserve,) = result.reserve
    assert reserve.shortfall == {"SI": D(50)}
    assert region(result, "DE-BY")["allocated"] == D(200)  # nothing deducted for the skipped P2


def test_a_request_exactly_equal_to_the_remaining_budget_is_funded() -> None:
    result = allocate(
        [request("P1", SI="150000.50"), request("P2", SI="149999.50"), request("P3", SI="0.01")],
        budgets(SI=300000),
        EUR,
    )
    assert statuses(result) == [("P1", FUNDED), ("P2", FUNDED), ("P3", RESERVE)]
    assert region(result, "SI")["remaining"] == D(0)
    assert result.reserve[0].shortfall == {"SI": D("0.01")}


def test_regions_requesting_nothing_do_not_block() -> None:
    result = allocate([request("P1", SI=0, AT_5=100)], budgets(SI=0, AT_5=100), EUR)
    assert statuses(result) == [("P1", FUNDED)]
    assert result.entries[0].requested == {"AT-5": D(100)}


def test_each_region_pays_in_its_own_currency_and_reports_in_eur() -> None:
    result = allocate(
        [request("P1", CH_FR=200000, AT_4=100000), request("P2", CH_FR="300000.01", IT_21=50000)],
        budgets(CH_FR=500000, AT_4=800000, IT_21=600000),
        EUR,
    )
    assert statuses(result) == [("P1", FUNDED), ("P2", RESERVE)]
    fribourg = result.regions[0]
    assert (fribourg.currency, fribourg.allocated, fribourg.remaining) == ("CHF", D(200000), D(300000))
    assert fribourg.allocated_reporting == D("210000.00")
    assert fribourg.budget_reporting == D("525000.00")
    assert fribourg.funding_gap == D("0.01")
    assert fribourg.funding_gap_reporting == D("0.01")  # 0.0105 EUR, half up to the cent
    assert result.reporting_currency == "EUR"
    assert result.total_allocated_reporting == D("310000.00")
    assert result.total_budget_reporting == D("525000") + D("800000") + D("600000")
    assert result.total_remaining_reporting == result.total_budget_reporting - result.total_allocated_reporting


def test_a_decline_makes_the_proposal_unfundable_and_frees_its_budget_below() -> None:
    ranked = [request("P1", SI=200, AT_4=100), request("P2", SI=200), request("P3", AT_4=50)]
    pot = budgets(SI=300, AT_4=1000)
    before = allocate(ranked, pot, EUR)
    assert statuses(before) == [("P1", FUNDED), ("P2", RESERVE), ("P3", FUNDED)]

    after = allocate(ranked, pot, EUR, declines=[Decline("P1", "AT-4")])
    assert statuses(after) == [("P1", DECLINED), ("P2", FUNDED), ("P3", FUNDED)]
    assert after.declined[0].declined_by == ("AT-4",)
    assert region(after, "AT-4")["allocated"] == D(50)
    assert after.reserve == ()


def test_only_a_region_funding_partners_in_a_proposal_can_decline_it() -> None:
    with pytest.raises(ValueError, match="cannot decline"):
        allocate([request("P1", SI=10)], budgets(SI=100, AT_4=100), EUR, declines=[Decline("P1", "AT-4")])
    with pytest.raises(ValueError, match="cannot decline"):
        allocate([request("P1", SI=10)], budgets(SI=100), EUR, declines=[Decline("P9", "SI")])


def test_funding_gap_is_what_each_region_must_add_to_fund_the_reserve_in_order() -> None:
    ranked = [
        request("P1", SI=200, AT_4=300),
        request("P2", SI=150, AT_4=100),  # SI has 100: short 50
        request("P3", AT_4=250),  # AT-4 has 200: short 50
        request("P4", SI=80, AT_4=150),
        request("P5", AT_4=60),  # AT-4 has 50: short 10
    ]
    result = allocate(ranked, budgets(SI=300, AT_4=500), EUR)
    assert statuses(result) == [("P1", FUNDED), ("P2", RESERVE), ("P3", RESERVE), ("P4", FUNDED), ("P5", RESERVE)]
    assert [entry.shortfall for entry in result.reserve] == [{"SI": D(50)}, {"AT-4": D(50)}, {"AT-4": D(10)}]
    # after the walk SI has 20 left and AT-4 50: the gaps count from there, in reserve order
    assert [entry.cumulative_gap for entry in result.reserve] == [
        {"SI": D(130), "AT-4": D(50)},  # to fund P2 on top of the funded ones
        {"AT-4": D(300)},  # ... and P3 (its own region only)
        {"AT-4": D(360)},  # ... and P5
    ]
    assert result.top_ups_to_fund_through("P3") == {"SI": D(130), "AT-4": D(300)}
    assert result.funding_gap == {"SI": D(130), "AT-4": D(360)}
    assert result.total_funding_gap_reporting == D(490)


def test_topping_up_by_the_gap_funds_the_reserve_down_to_that_proposal() -> None:
    ranked = [
        request("P1", SI=200, AT_4=300),
        request("P2", SI=150, AT_4=100),
        request("P3", AT_4=250),
        request("P4", SI=80, AT_4=150),
        request("P5", AT_4=60),
    ]
    pot = budgets(SI=300, AT_4=500)
    first = allocate(ranked, pot, EUR)
    what_if = allocate(ranked, with_top_ups(pot, first.top_ups_to_fund_through("P2")), EUR)
    assert statuses(what_if) == [("P1", FUNDED), ("P2", FUNDED), ("P3", RESERVE), ("P4", FUNDED), ("P5", RESERVE)]
    assert region(what_if, "SI")["remaining"] == D(0)


def test_no_reserve_means_no_gap() -> None:
    result = allocate([request("P1", SI=10)], budgets(SI=100, AT_4=100), EUR)
    assert result.funding_gap == {"SI": D(0), "AT-4": D(0)}
    assert result.total_funding_gap_reporting == D(0)
    with pytest.raises(KeyError):
        result.top_ups_to_fund_through("P1")


@pytest.mark.parametrize(
    ("ranked", "pot", "reporting", "message"),
    [
        ([request("P1", XX=10)], budgets(SI=100), EUR, "unknown region"),
        ([request("P1", SI=-1)], budgets(SI=100), EUR, "negative"),
        ([request("P1", SI=1), request("P1", SI=1)], budgets(SI=100), EUR, "twice"),
        ([], budgets(SI=-1), EUR, "non-negative"),
        ([], budgets(SI=1, CH_FR=1), ReportingCurrency("EUR"), "no reporting rate for CHF"),
        ([], budgets(SI=1) + budgets(SI=2), EUR, "two budgets"),
    ],
)
def test_invalid_inputs_are_refused(
    ranked: list[FundingRequest], pot: list[RegionBudget], reporting: ReportingCurrency, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(ranked, pot, reporting)


def test_top_ups_must_be_known_and_not_negative() -> None:
    with pytest.raises(ValueError, match="unknown"):
        with_top_ups(budgets(SI=1), {"AT-4": D(1)})
    with pytest.raises(ValueError, match="negative"):
        with_top_ups(budgets(SI=1), {"SI": D(-1)})
    assert with_top_ups(budgets(SI=1, AT_4=2), {"SI": D("0.5")}) == tuple(budgets(SI="1.5", AT_4=2))


# --- properties -----------------------------------------------------------------------------------------------

REGIONS = ("R0", "R1", "R2", "R3")
amounts = st.integers(min_value=0, max_value=6_000).map(lambda cents: D(cents) / 100)
budget_lists = st.tuples(*[st.integers(min_value=0, max_value=15_000).map(lambda c: D(c) / 100)] * 4).map(
    lambda values: [RegionBudget(code, "EUR", value) for code, value in zip(REGIONS, values, strict=True)]
)
request_lists = st.lists(st.dictionaries(st.sampled_from(REGIONS), amounts, min_size=1, max_size=3), max_size=12).map(
    lambda asks: [FundingRequest(f"P{i:02d}", ask) for i, ask in enumerate(asks)]
)
top_up_maps = st.dictionaries(st.sampled_from(REGIONS), amounts, max_size=4)


def reference_walk(ranked: list[FundingRequest], pot: list[RegionBudget]) -> list[FundingStatus]:
    """The rule as written in the domain description, spelled out naively."""
    remaining = {b.region: b.budget for b in pot}
    result = []
    for proposal in ranked:
        if all(remaining[r] >= amount for r, amount in proposal.requested.items()):
            for r, amount in proposal.requested.items():
                remaining[r] -= amount
            result.append(FUNDED)
        else:
            result.append(RESERVE)
    return result


@settings(max_examples=150, deadline=None)
@given(request_lists, budget_lists)
def test_no_region_is_ever_overspent_and_funded_proposals_are_paid_everywhere(
    ranked: list[FundingRequest], pot: list[RegionBudget]
) -> None:
    result = allocate(ranked, pot, EUR)
    assert [entry.status for entry in result.entries] == reference_walk(ranked, pot)
    for report in result.regions:
        paid = sum((e.requested.get(report.region, D(0)) for e in result.funded), D(0))
        assert report.allocated == paid <= report.budget  # each funded proposal is paid in all its regions
        assert report.remaining == report.budget - paid >= 0
    for entry in result.funded:
        assert entry.shortfall == {}
    for entry in result.reserve:
        assert entry.shortfall and all(missing > 0 for missing in entry.shortfall.values())


@settings(max_examples=150, deadline=None)
@given(request_lists, budget_lists, top_up_maps)
def test_more_budget_changes_the_first_changed_proposal_only_from_reserve_to_funded(
    ranked: list[FundingRequest], pot: list[RegionBudget], top_ups: dict[str, Decimal]
) -> None:
    before = [e.status for e in allocate(ranked, pot, EUR).entries]
    after = [e.status for e in allocate(ranked, with_top_ups(pot, top_ups), EUR).entries]
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    if changed:
        first = changed[0]
        assert before[:first] == after[:first]  # every proposal above it keeps its status
        assert (before[first], after[first]) == (RESERVE, FUNDED)


@settings(max_examples=150, deadline=None)
@given(request_lists, budget_lists)
def test_topping_up_by_a_cumulative_gap_funds_exactly_the_reserve_down_to_it(
    ranked: list[FundingRequest], pot: list[RegionBudget]
) -> None:
    result = allocate(ranked, pot, EUR)
    funded = {e.proposal_id for e in result.funded}
    for j, entry in enumerate(result.reserve):
        gap = result.top_ups_to_fund_through(entry.proposal_id)
        what_if = allocate(ranked, with_top_ups(pot, gap), EUR)
        assert {e.proposal_id for e in what_if.funded} == funded | {e.proposal_id for e in result.reserve[: j + 1]}
        for code, extra in gap.items():  # and no region could have added less
            assert extra > 0
            smaller = allocate(ranked, with_top_ups(pot, {**gap, code: extra - D("0.01")}), EUR)
            assert {e.proposal_id for e in smaller.funded} != {e.proposal_id for e in what_if.funded}


@settings(max_examples=100, deadline=None)
@given(request_lists, budget_lists, st.data())
def test_a_declined_proposal_is_as_if_it_had_not_been_ranked(
    ranked: list[FundingRequest], pot: list[RegionBudget], data: st.DataObject
) -> None:
    candidates = [(p.proposal_id, r) for p in ranked for r, amount in p.requested.items() if amount > 0]
    declines = data.draw(st.lists(st.sampled_from(candidates), max_size=3)) if candidates else []
    declined_ids = {proposal_id for proposal_id, _ in declines}
    with_declines = allocate(ranked, pot, EUR, declines=[Decline(*d) for d in declines])
    without = allocate([p for p in ranked if p.proposal_id not in declined_ids], pot, EUR)
    assert [(e.proposal_id, e.status) for e in with_declines.entries if e.status is not DECLINED] == statuses(without)
    assert {e.proposal_id for e in with_declines.declined} == declined_ids
    assert with_declines.regions == without.regions
