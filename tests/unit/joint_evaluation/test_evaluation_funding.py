"""joint_evaluation's funding rules: what a proposal asks each region, the decisions as announced, and what
each region confirms."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.joint_evaluation.domain.allocation import (
    Decline,
    FundingRequest,
    RegionBudget,
    ReportingCurrency,
    allocate,
)
from services.joint_evaluation.domain.funding import (
    CurrencyMismatchError,
    PartnerRequest,
    RankedRequest,
    around_the_line,
    for_region,
    funding_decided,
    region_part,
    regions_funding_partners,
    requests_by_region,
    unconfirmed_regions,
)
from shared.events import FundingDecided, FundingDecision

CURRENCIES = {"AT-4": "EUR", "CH-FR": "CHF"}
P1, P2 = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))


def request(partner_id: str, region: str, amount: str, currency: str = "EUR") -> PartnerRequest:
    return PartnerRequest(partner_id, region, Decimal(amount), currency)


def test_a_region_is_asked_for_what_its_funded_partners_request() -> None:
    partners = [
        request("a", "AT-4", "100000"),
        request("b", "AT-4", "20000.50"),
        request("c", "AT-4", "30000"),  # dropped by the policy
        request("d", "CH-FR", "50000", "CHF"),  # not eligible
        request("e", "FR-IDF", "40000"),  # from outside the call: self-funded
        request("f", "CH-FR", "0", "CHF"),
    ]
    assert requests_by_region(partners, CURRENCIES, excluded={"c", "d"}) == {"AT-4": Decimal("120000.50")}


def test_a_request_in_another_currency_than_the_regions_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError, match="CH-FR"):
        requests_by_region([request("a", "CH-FR", "100")], CURRENCIES)


def decided(declines: tuple[Decline, ...] = ()) -> FundingDecided:
    ranked = [RankedRequest(P1, "ALPHA", 1), RankedRequest(P2, "BETA", 2)]
    asks = {P1: {"AT-4": Decimal(100), "CH-FR": Decimal(120)}, P2: {"AT-4": Decimal(100)}}
    result = allocate(
        [FundingRequest(r.proposal_id, asks[r.proposal_id]) for r in ranked],
        [RegionBudget("AT-4", "EUR", Decimal(150)), RegionBudget("CH-FR", "CHF", Decimal(200))],
        ReportingCurrency("EUR", {"CHF": Decimal("1.05")}),
        declines,
    )
    return funding_decided(
        result, ranked, CURRENCIES, call_id=uuid.uuid4(), version=1, decided_at=datetime.now(UTC), trigger="run"
    )


def test_the_decisions_carry_money_with_its_currency_and_reporting_figures() -> None:
    decisions = decided()
    assert [(d.acronym, d.rank, d.status) for d in decisions.proposals] == [
        ("ALPHA", 1, "funded"),
        ("BETA", 2, "reserve"),
    ]
    fribourg = decisions.regions[1]
    assert (str(fribourg.allocated.amount), fribourg.allocated.currency) == ("120.00", "CHF")
    assert str(fribourg.allocated_reporting.amount) == "126.00"
    assert str(decisions.totals.allocated.amount) == "226.00"
    assert [(g.region_code, str(g.amount)) for g in decisions.proposals[1].shortfall] == [("AT-4", "50.00")]


def test_a_region_confirms_its_part_which_changes_only_when_what_it_funds_changes() -> None:
    before = decided()
    assert region_part(before, "AT-4") == [[P1, "100.00"]]
    assert regions_funding_partners(before) == ["AT-4", "CH-FR"]
    confirmed = {"AT-4": region_part(before, "AT-4"), "CH-FR": region_part(before, "CH-FR")}
    assert unconfirmed_regions(before, confirmed) == []
    after = decided((Decline(P1, "CH-FR"),))
    assert region_part(after, "AT-4") == [[P2, "100.00"]]
    assert unconfirmed_regions(after, confirmed) == ["AT-4"]  # CH-FR now funds nothing: nothing to confirm


def test_a_region_sees_only_its_own_part() -> None:
    own = for_region(decided(), "CH-FR")
    assert [d.acronym for d in own.proposals] == ["ALPHA"]
    assert {g.region_code for d in own.proposals for g in d.requested} == {"CH-FR"}
    assert [r.region_code for r in own.regions] == ["CH-FR"]


def test_the_meeting_sees_the_last_funded_proposals_then_the_reserve_list_around_the_funding_line() -> None:
    def decision(rank: int, status: str) -> FundingDecision:
        return FundingDecision.model_validate(
            {
                "proposal_id": str(uuid.UUID(int=rank)),
                "acronym": f"P{rank}",
                "rank": rank,
                "status": status,
                "requested": [],
            }
        )

    decisions = [decision(n, "funded" if n < 8 else "declined" if n == 9 else "reserve") for n in range(1, 30)]
    assert [d.rank for d in around_the_line(decisions, funded_before=2, reserve_after=3)] == [6, 7, 8, 9, 10]
    assert [d.rank for d in around_the_line(decisions[:3], funded_before=5)] == [1, 2, 3]
    assert [d.rank for d in around_the_line([decision(1, "reserve"), decision(2, "reserve")], reserve_after=1)] == [1]
