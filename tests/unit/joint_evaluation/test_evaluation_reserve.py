"""The reserve list walked again with money given back after the results."""

from __future__ import annotations

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
