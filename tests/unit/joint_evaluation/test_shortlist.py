"""The stage-1 shortlist: the walk under each region's cap, no-go, thresholds, edge values, currencies, and its
invariants (deterministic, monotone in the budgets, no region above its cap)."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.joint_evaluation.domain.allocation import RegionBudget, ReportingCurrency
from services.joint_evaluation.domain.shortlist import (
    NoGo,
    PreProposal,
    Shortlist,
    ShortlistStatus,
    shortlist,
    with_budgets,
)

D = Decimal
INVITED, CAP, NO_GO, BELOW = (
    ShortlistStatus.INVITED,
    ShortlistStatus.CAP_REACHED,
    ShortlistStatus.NO_GO,
    ShortlistStatus.BELOW_THRESHOLD,
)
EUR = ReportingCurrency("EUR", {"CHF": D("1.05")})


def budgets(**amounts: int | str) -> list[RegionBudget]:
    """Region code -> budget; regions whose code starts with CH are in CHF (``CH_FR`` for CH-FR)."""
    return [
        RegionBudget(code.replace("_", "-"), "CHF" if code.startswith("CH") else "EUR", D(amount))
        for code, amount in amounts.items()
    ]


def pre(proposal_id: str, *below: str, **amounts: int | str) -> PreProposal:
    return PreProposal(proposal_id, {code.replace("_", "-"): D(amount) for code, amount in amounts.items()}, below)


def statuses(result: Shortlist) -> list[tuple[str, ShortlistStatus]]:
    return [(entry.proposal_id, entry.status) for entry in result.entries]


def report(result: Shortlist, code: str) -> dict[str, object]:
    (found,) = [r for r in result.regions if r.region == code]
    return {
        "cap": found.cap,
        "requested": found.requested,
        "factor_reached": found.factor_reached,
        "invited": found.invited_proposals,
        "cap_reached": found.cap_reached_proposals,
    }


# --- the walk -------------------------------------------------------------------------------------------------


def test_proposals_are_invited_best_first_while_every_region_stays_within_three_times_its_budget() -> None:
    result = shortlist(
        [pre("P1", AT_4=200, DE_BY=100), pre("P2", AT_4=100, SI=50)],
        budgets(AT_4=100, DE_BY=1000, SI=100),
        D(3),
        EUR,
    )
    assert statuses(result) == [("P1", INVITED), ("P2", INVITED)]
    assert report(result, "AT-4") == {
        "cap": D(300),
        "requested": D(300),
        "factor_reached": D(3),
        "invited": 2,
        "cap_reached": 0,
    }
    assert all(not entry.reasons for entry in result.invited)


def test_one_region_at_its_cap_leaves_the_proposal_out_and_the_walk_goes_on() -> None:
    result = shortlist(
        [pre("P1", SI=250, DE_BY=100), pre("P2", SI=100, DE_BY=100), pre("P3", DE_BY=100, IT_25=100)],
        budgets(SI=100, DE_BY=1000, IT_25=500),
        D(3),
        EUR,
    )
    assert statuses(result) == [("P1", INVITED), ("P2", CAP), ("P3", INVITED)]
    (left_out,) = result.cap_reached
    assert left_out.reasons == ("Region SI's cap reached",)
    (excess,) = left_out.cap_excess
    assert (excess.region, excess.cap, excess.requested_before, excess.asked, excess.over_by) == (
        "SI",
        D(300),
        D(250),
        D(100),
        D(50),
    )
    assert report(result, "DE-BY")["requested"] == D(200)  # nothing counted for the left-out P2
    assert report(result, "SI")["cap_reached"] == 1


def test_a_request_that_reaches_the_cap_exactly_is_invited_and_one_cent_over_is_not() -> None:
    result = shortlist(
        [pre("P1", SI="150000.50"), pre("P2", SI="149999.50"), pre("P3", SI="0.01")],
        budgets(SI=100000),
        D(3),
        EUR,
    )
    assert statuses(result) == [("P1", INVITED), ("P2", INVITED), ("P3", CAP)]  # P3: one cent over the full cap
    assert report(result, "SI")["requested"] == D(300000) == report(result, "SI")["cap"]  # exactly the cap
    one_over = shortlist(
        [pre("P1", SI="150000.50"), pre("P2", SI="149999.51")],
        budgets(SI=100000),
        D(3),
        EUR,
    )
    assert statuses(one_over) == [("P1", INVITED), ("P2", CAP)]
    assert one_over.cap_reached[0].cap_excess[0].over_by == D("0.01")


def test_a_region_with_zero_budget_invites_nobody_asking_it_for_money() -> None:
    result = shortlist(
        [pre("P1", AT_4=100, SI="0.01"), pre("P2", AT_4=100, SI=0), pre("P3", AT_4=100)],
        budgets(AT_4=1000, SI=0),
        D(3),
        EUR,
    )
    assert statuses(result) == [("P1", CAP), ("P2", INVITED), ("P3", INVITED)]
    assert report(result, "SI") == {
        "cap": D(0),
        "requested": D(0),
        "factor_reached": None,
        "invited": 0,
        "cap_reached": 1,
    }
    assert result.entry("P2").requested == {"AT-4": D(100)}  # a zero request is not a request


def test_each_region_caps_in_its_own_currency_and_reports_in_eur() -> None:
    result = shortlist(
        [pre("P1", CH_FR=300000, AT_4=100000), pre("P2", CH_FR="0.01", AT_4=1)],
        budgets(CH_FR=100000, AT_4=500000),
        D(3),
        EUR,
    )
    assert statuses(result) == [("P1", INVITED), ("P2", CAP)]  # 300,000 CHF is exactly Fribourg's cap
    fribourg = next(r for r in result.regions if r.region == "CH-FR")
    assert (fribourg.currency, fribourg.cap, fribourg.requested) == ("CHF", D(300000), D(300000))
    assert (fribourg.budget_reporting, fribourg.cap_reporting, fribourg.requested_reporting) == (
        D("105000.00"),
        D("315000.00"),
        D("315000.00"),
    )
    austria = next(r for r in result.regions if r.region == "AT-4")
    assert austria.requested_reporting == D("100000.00")
    assert result.reporting_currency == "EUR"


def test_a_regions_override_replaces_the_calls_factor_for_that_region_only() -> None:
    result = shortlist(
        [pre("P1", AT_4=150, SI=150), pre("P2", AT_4=101), pre("P3", SI=150)],  # P2 fits 3x, not 2.5x
        budgets(AT_4=100, SI=100),
        D(3),
        EUR,
        factor_overrides={"AT-4": D("2.5")},
    )
    assert statuses(result) == [("P1", INVITED), ("P2", CAP), ("P3", INVITED)]
    assert report(result, "AT-4")["cap"] == D("250.0")
    assert report(result, "SI")["cap"] == D(300)


def test_a_regions_no_go_excludes_the_proposal_with_its_reason_and_consumes_nothing() -> None:
    result = shortlist(
        [pre("P1", AT_4=300, SI=10), pre("P2", AT_4=300)],
        budgets(AT_4=100, SI=100),
        D(3),
        EUR,
        no_gos=[NoGo("P1", "SI", "outside our programme's S3 areas"), NoGo("P1", "AT-4", "no fit")],
    )
    assert statuses(result) == [("P1", NO_GO), ("P2", INVITED)]
    assert result.entry("P1").reasons == (
        "Region AT-4 said no-go: no fit",
        "Region SI said no-go: outside our programme's S3 areas",
    )


def test_a_proposal_below_the_stage_1_thresholds_is_not_invited_with_its_scores_as_the_reason() -> None:
    result = shortlist(
        [pre("P1", AT_4=100), pre("P2", "Total 6 below overall threshold 7", AT_4=1)],
        budgets(AT_4=100),
        D(3),
        EUR,
        no_gos=[NoGo("P2", "AT-4", "no fit")],
    )
    assert statuses(result) == [("P1", INVITED), ("P2", BELOW)]
    assert result.entry("P2").reasons == ("Total 6 below overall threshold 7",)  # the scores come first


def test_only_a_region_with_partners_in_the_proposal_can_say_no_go() -> None:
    with pytest.raises(ValueError, match="has no partner"):
        shortlist([pre("P1", AT_4=1)], budgets(AT_4=10, SI=10), D(3), EUR, no_gos=[NoGo("P1", "SI", "x")])
    with pytest.raises(ValueError, match="has no partner"):
        shortlist([pre("P1", AT_4=1)], budgets(AT_4=10), D(3), EUR, no_gos=[NoGo("P9", "AT-4", "x")])
    # a partner asking nothing still makes its region one that judges the fit
    result = shortlist([pre("P1", AT_4=1, SI=0)], budgets(AT_4=10, SI=10), D(3), EUR, no_gos=[NoGo("P1", "SI", "x")])
    assert statuses(result) == [("P1", NO_GO)]


@pytest.mark.parametrize(
    ("ranked", "pot", "factor", "overrides", "message"),
    [
        ([pre("P1", XX=1)], budgets(AT_4=1), D(3), {}, "unknown region XX"),
        ([pre("P1", AT_4=-1)], budgets(AT_4=1), D(3), {}, "negative amount"),
        ([pre("P1", AT_4=1), pre("P1", AT_4=1)], budgets(AT_4=1), D(3), {}, "ranked twice"),
        ([], budgets(AT_4=1) + budgets(AT_4=2), D(3), {}, "two budgets"),
        ([], budgets(AT_4=-1), D(3), {}, "non-negative"),
        ([], [RegionBudget("PL-MZ", "PLN", D(1))], D(3), {}, "no reporting rate for PLN"),
        ([], budgets(AT_4=1), D(0), {}, "factor must be positive"),
        ([], budgets(AT_4=1), D("NaN"), {}, "factor must be positive"),
        ([], budgets(AT_4=1), D(3), {"AT-4": D(-1)}, "factor of AT-4 must be positive"),
        ([], budgets(AT_4=1), D(3), {"SI": D(2)}, "unknown regions"),
    ],
)
def test_invalid_inputs_are_refused(
    ranked: list[PreProposal], pot: list[RegionBudget], factor: Decimal, overrides: dict[str, Decimal], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        shortlist(ranked, pot, factor, EUR, factor_overrides=overrides)


def test_what_if_budgets_must_name_known_regions() -> None:
    assert with_budgets(budgets(AT_4=1, SI=2), {"SI": D(5)}) == tuple(budgets(AT_4=1, SI=5))
    with pytest.raises(ValueError, match="unknown regions"):
        with_budgets(budgets(AT_4=1), {"SI": D(5)})


# --- exhaustively, on a small grid ----------------------------------------------------------------------------

GRID_REGIONS = ("AT-4", "CH-FR")
GRID_ASKS = (D(0), D(1), D(2))
GRID_BUDGETS = (D(0), D(1), D(2))


def test_every_small_call_matches_the_rule_and_keeps_every_region_within_its_cap() -> None:
    """Every ranking of three pre-proposals asking 0..2 in two regions (one CHF), budgets 0..2, factor 1 or 1.5."""
    asks = [dict(zip(GRID_REGIONS, pair, strict=True)) for pair in itertools.product(GRID_ASKS, repeat=2)]
    checked = 0
    for triple in itertools.product(asks, repeat=3):
        ranked = [PreProposal(f"P{i}", ask) for i, ask in enumerate(triple)]
        for at, ch in itertools.product(GRID_BUDGETS, repeat=2):
            pot = [RegionBudget("AT-4", "EUR", at), RegionBudget("CH-FR", "CHF", ch)]
            for factor in (D(1), D("1.5")):
                result = shortlist(ranked, pot, factor, EUR)
                assert [e.status for e in result.entries] == reference_walk(ranked, pot, factor)
                assert_within_caps(result)
                checked += 1
    assert checked == 9**3 * 9 * 2


# --- properties -----------------------------------------------------------------------------------------------

REGIONS = ("R0", "R1", "R2", "CH")
amounts = st.integers(min_value=0, max_value=6_000).map(lambda cents: D(cents) / 100)
budget_values = st.integers(min_value=0, max_value=5_000).map(lambda c: D(c) / 100)
budget_lists = st.tuples(*[budget_values] * 4).map(
    lambda values: [
        RegionBudget(code, "CHF" if code == "CH" else "EUR", value) for code, value in zip(REGIONS, values, strict=True)
    ]
)
factors = st.sampled_from([D(1), D("1.5"), D(2), D(3), D("3.25")])
override_maps = st.dictionaries(st.sampled_from(REGIONS), factors, max_size=2)
ranked_lists = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(REGIONS), amounts, min_size=1, max_size=3),
        st.booleans(),  # below the threshold?
    ),
    max_size=14,
).map(
    lambda items: [
        PreProposal(f"P{i:02d}", ask, ("Total below overall threshold",) if below else ())
        for i, (ask, below) in enumerate(items)
    ]
)
raises = st.dictionaries(st.sampled_from(REGIONS), amounts, max_size=4)


def reference_walk(
    ranked: list[PreProposal], pot: list[RegionBudget], factor: Decimal, overrides: dict[str, Decimal] | None = None
) -> list[ShortlistStatus]:
    """The rule as written in the issue, spelled out naively."""
    overrides = overrides or {}
    room = {b.region: overrides.get(b.region, factor) * b.budget for b in pot}
    result = []
    for proposal in ranked:
        if proposal.below_threshold:
            result.append(BELOW)
        elif all(amount <= room[r] for r, amount in proposal.requested.items()):
            for r, amount in proposal.requested.items():
                room[r] -= amount
            result.append(INVITED)
        else:
            result.append(CAP)
    return result


def assert_within_caps(result: Shortlist) -> None:
    for region in result.regions:
        asked = sum((e.requested.get(region.region, D(0)) for e in result.invited), D(0))
        assert region.requested == asked <= region.cap
        assert region.cap == region.factor * region.budget
        if region.budget:
            assert region.factor_reached == asked / region.budget <= region.factor
    for entry in result.cap_reached:  # left out only by a cap: some region really would have gone over it
        assert entry.cap_excess and all(item.over_by > 0 for item in entry.cap_excess)


@settings(max_examples=200, deadline=None)
@given(ranked_lists, budget_lists, factors, override_maps)
def test_no_region_is_ever_above_its_cap_and_the_walk_is_the_rule(
    ranked: list[PreProposal], pot: list[RegionBudget], factor: Decimal, overrides: dict[str, Decimal]
) -> None:
    result = shortlist(ranked, pot, factor, EUR, factor_overrides=overrides)
    assert [e.status for e in result.entries] == reference_walk(ranked, pot, factor, overrides)
    assert_within_caps(result)


@settings(max_examples=150, deadline=None)
@given(ranked_lists, budget_lists, factors, st.randoms(use_true_random=False))
def test_the_shortlist_is_deterministic_whatever_order_the_regions_and_requests_come_in(
    ranked: list[PreProposal], pot: list[RegionBudget], factor: Decimal, rng: random.Random
) -> None:
    first = shortlist(ranked, pot, factor, EUR)
    assert shortlist(ranked, pot, factor, EUR) == first
    shuffled_pot = rng.sample(pot, len(pot))
    shuffled = [
        PreProposal(p.proposal_id, dict(rng.sample(list(p.requested.items()), len(p.requested))), p.below_threshold)
        for p in ranked
    ]
    again = shortlist(shuffled, shuffled_pot, factor, EUR)
    assert [(e.proposal_id, e.status, e.reasons, e.cap_excess) for e in again.entries] == [
        (e.proposal_id, e.status, e.reasons, e.cap_excess) for e in first.entries
    ]
    assert sorted(again.regions, key=lambda r: r.region) == sorted(first.regions, key=lambda r: r.region)


@settings(max_examples=200, deadline=None)
@given(ranked_lists, budget_lists, factors, raises)
def test_more_budget_changes_the_first_changed_proposal_only_from_cap_reached_to_invited(
    ranked: list[PreProposal], pot: list[RegionBudget], factor: Decimal, extra: dict[str, Decimal]
) -> None:
    larger = with_budgets(pot, {b.region: b.budget + extra.get(b.region, D(0)) for b in pot})
    before = [e.status for e in shortlist(ranked, pot, factor, EUR).entries]
    after = [e.status for e in shortlist(ranked, larger, factor, EUR).entries]
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    if changed:
        first = changed[0]
        assert before[:first] == after[:first]  # every proposal above it keeps its status
        assert (before[first], after[first]) == (CAP, INVITED)
    # and the best proposals are never worse off: the invited prefix only grows
    assert prefix_invited(after) >= prefix_invited(before)


@settings(max_examples=150, deadline=None)
@given(ranked_lists, budget_lists)
def test_a_higher_factor_acts_like_more_budget(ranked: list[PreProposal], pot: list[RegionBudget]) -> None:
    low = [e.status for e in shortlist(ranked, pot, D(2), EUR).entries]
    high = [e.status for e in shortlist(ranked, pot, D(3), EUR).entries]
    tripled = with_budgets(pot, {b.region: b.budget * 3 for b in pot})
    scaled = [e.status for e in shortlist(ranked, tripled, D(1), EUR).entries]
    assert high == scaled
    changed = [i for i, (old, new) in enumerate(zip(low, high, strict=True)) if old != new]
    if changed:
        assert (low[changed[0]], high[changed[0]]) == (CAP, INVITED)


@settings(max_examples=100, deadline=None)
@given(ranked_lists, budget_lists, factors, st.data())
def test_a_no_go_proposal_is_as_if_it_had_not_been_ranked(
    ranked: list[PreProposal], pot: list[RegionBudget], factor: Decimal, data: st.DataObject
) -> None:
    candidates = [(p.proposal_id, r) for p in ranked for r in p.requested if not p.below_threshold]
    vetoes = data.draw(st.lists(st.sampled_from(candidates), max_size=3)) if candidates else []
    vetoed = {proposal_id for proposal_id, _ in vetoes}
    with_no_go = shortlist(ranked, pot, factor, EUR, no_gos=[NoGo(p, r, "no fit") for p, r in vetoes])
    without = shortlist([p for p in ranked if p.proposal_id not in vetoed], pot, factor, EUR)
    assert [(e.proposal_id, e.status) for e in with_no_go.entries if e.status is not NO_GO] == statuses(without)
    assert {e.proposal_id for e in with_no_go.entries if e.status is NO_GO} == vetoed
    assert with_no_go.regions == without.regions


def prefix_invited(status_list: list[ShortlistStatus]) -> int:
    """How many proposals from the top are invited or out for their own scores, before the first cap."""
    for index, status in enumerate(status_list):
        if status is CAP:
            return index
    return len(status_list)
