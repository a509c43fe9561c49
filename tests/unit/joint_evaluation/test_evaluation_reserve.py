"""The reserve list walked again with money given back after the results."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.joint_evaluation.domain.allocation import FundingRequest
from services.joint_evaluation.domain.reserve import available_budgets, walk_reserve

D = Decimal


def test_the_walk_funds_down_the_list_and_skips_whole_proposals_a_region_cannot_pay() -> None:
    reserve = [
        FundingRequest("beta", {"AT": D(100), "CH": D(120)}),
        FundingRequest("delta", {"AT": D(60)}),
        FundingRequest("zeta", {"AT": D(40), "CH": D(10)}),
    ]
    walk = walk_reserve(reserve, {"AT": D(150), "CH": D(100)}, already_funded=())
    assert walk.funded == ("delta", "zeta")  # beta needs 120 in CH, only 100 there
    assert walk.remaining == {"AT": D(50), "CH": D(90)}


def test_a_proposal_already_funded_is_never_funded_again() -> None:
    reserve = [FundingRequest("beta", {"AT": D(10)}), FundingRequest("beta", {"AT": D(10)})]
    assert walk_reserve(reserve, {"AT": D(100)}, already_funded={"beta"}).funded == ()
    assert walk_reserve(reserve, {"AT": D(100)}, already_funded=()).funded == ("beta",)


def test_a_region_not_in_the_budgets_has_nothing_to_give() -> None:
    assert walk_reserve([FundingRequest("x", {"DE": D(1)})], {"AT": D(100)}, ()).funded == ()


def test_available_budgets_add_what_came_back_and_take_what_later_offers_funded() -> None:
    budgets = available_budgets({"AT": D(50)}, [{"AT": D(100), "CH": D(20)}], [{"AT": D(60)}])
    assert budgets == {"AT": D(90), "CH": D(20)}


regions = st.sampled_from(["AT", "CH", "DE"])
amounts = st.decimals(min_value=0, max_value=1000, places=2)
requests = st.lists(
    st.tuples(st.sampled_from([f"p{i}" for i in range(8)]), st.dictionaries(regions, amounts, max_size=3)),
    max_size=8,
    unique_by=lambda item: item[0],  # a reserve list names each proposal once
)


@given(requests, st.dictionaries(regions, amounts, max_size=3), st.sets(st.sampled_from(["p0", "p1", "p2"])))
def test_never_over_a_regions_budget_and_never_a_proposal_twice(
    listed: list[tuple[str, dict[str, Decimal]]], budgets: dict[str, Decimal], already: set[str]
) -> None:
    reserve = [FundingRequest(pid, asks) for pid, asks in listed]
    walk = walk_reserve(reserve, budgets, already)
    assert len(set(walk.funded)) == len(walk.funded)
    assert not set(walk.funded) & already
    first_ask = {request.proposal_id: request.requested for request in reserve}
    for region in {r for _, asks in listed for r in asks} | set(budgets):
        spent = sum((first_ask[p].get(region, D(0)) for p in walk.funded), D(0))
        assert spent <= budgets.get(region, D(0))
        assert walk.remaining.get(region, D(0)) == budgets.get(region, D(0)) - spent


@given(
    requests,
    st.dictionaries(regions, amounts, max_size=3),
    st.lists(st.tuples(st.dictionaries(regions, amounts, max_size=2), st.booleans()), min_size=1, max_size=5),
    st.sets(st.sampled_from(["p0", "p1"])),
)
def test_round_after_round_of_releases_no_region_funds_more_than_it_had_and_got_back_nor_a_proposal_twice(
    listed: list[tuple[str, dict[str, Decimal]]],
    at_publication: dict[str, Decimal],
    rounds: list[tuple[dict[str, Decimal], bool]],
    funded_at_publication: set[str],
) -> None:
    """As joint_evaluation walks it: each release walks the list again from what is available then (the
    remainder at publication, every release so far, minus the offers funded so far); the agency funds an offer
    or lets a later release supersede it."""
    reserve = [FundingRequest(pid, asks) for pid, asks in listed]
    asks = {request.proposal_id: request.requested for request in reserve}
    releases: list[dict[str, Decimal]] = []
    funded_grants: list[Mapping[str, Decimal]] = []
    funded: list[str] = []
    for released, agency_funds in rounds:
        releases.append(released)
        budgets = available_budgets(at_publication, releases, funded_grants)
        walk = walk_reserve(reserve, budgets, funded_at_publication | set(funded))
        assert not set(walk.funded) & (funded_at_publication | set(funded))
        if agency_funds:
            funded += walk.funded
            funded_grants += [asks[p] for p in walk.funded]
    assert len(set(funded)) == len(funded)
    for region in {r for _, a in listed for r in a} | set(at_publication):
        had = at_publication.get(region, D(0)) + sum((r.get(region, D(0)) for r in releases), D(0))
        spent = sum((asks[p].get(region, D(0)) for p in funded), D(0))
        assert spent <= had
