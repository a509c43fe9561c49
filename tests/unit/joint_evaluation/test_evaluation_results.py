"""joint_evaluation's consolidated results: one list with each proposal's status and grants, the totals per
region, and the CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

import pytest

from services.joint_evaluation.domain.results import ResultsInconsistentError, consolidate, results_csv
from shared.events import (
    FundingDecided,
    FundingDecision,
    FundingTotals,
    RankedProposal,
    RegionAmount,
    RegionFunding,
)
from shared.money import Money

IDS = [uuid.UUID(int=n) for n in range(1, 6)]
CRITERIA = ["excellence", "impact"]
Status = Literal["passed", "not_passed", "ineligible"]


def eur(amount: str, currency: str = "EUR") -> Money:
    return Money(amount=Decimal(amount), currency=currency)


def grant(region: str, amount: str, currency: str = "EUR") -> RegionAmount:
    return RegionAmount(region_code=region, amount=Decimal(amount), currency=currency)


def ranked(index: int, status: Status, rank: int | None, score: str | None = None) -> RankedProposal:
    scores = {key: Decimal(score) for key in CRITERIA} if score else {}
    total = Decimal(score) * Decimal("2.5") if score else None
    return RankedProposal(
        proposal_id=IDS[index],
        acronym=f"P{index}",
        status=status,
        rank=rank,
        scores=scores,
        weighted_total=total,
    )


RANKING = [
    ranked(0, "passed", 1, "4.5"),
    ranked(1, "passed", 2, "4"),
    ranked(2, "passed", 3, "3.5"),
    ranked(3, "not_passed", None, "2"),
    ranked(4, "ineligible", None),
]


def region(code: str, currency: str, budget: str, allocated: str, gap: str, rate: Decimal) -> RegionFunding:
    left = Decimal(budget) - Decimal(allocated)

    def reporting(value: Decimal | str) -> Money:
        return eur(str((Decimal(value) * rate).quantize(Decimal("0.01"))))

    return RegionFunding(
        region_code=code,
        budget=eur(budget, currency),
        allocated=eur(allocated, currency),
        remaining=eur(str(left), currency),
        funding_gap=eur(gap, currency),
        funded_proposals=1,
        budget_reporting=reporting(budget),
        allocated_reporting=reporting(allocated),
        remaining_reporting=reporting(left),
        funding_gap_reporting=reporting(gap),
    )


DECIDED = FundingDecided(
    call_id=uuid.uuid4(),
    funding_version=2,
    decided_at=datetime(2027, 6, 1, tzinfo=UTC),
    trigger="decline",
    reporting_currency="EUR",
    proposals=[
        FundingDecision(
            proposal_id=IDS[0], acronym="P0", rank=1, status="declined", requested=[grant("AT-4", "100")],
            declined_by=["AT-4"],
        ),
        FundingDecision(
            proposal_id=IDS[1], acronym="P1", rank=2, status="funded",
            requested=[grant("AT-4", "100"), grant("CH-FR", "120", "CHF")],
        ),
        FundingDecision(
            proposal_id=IDS[2], acronym="P2", rank=3, status="reserve", requested=[grant("CH-FR", "90", "CHF")],
            shortfall=[grant("CH-FR", "10", "CHF")],
        ),
    ],
    regions=[
        region("AT-4", "EUR", "150", "100", "0", Decimal(1)),
        region("CH-FR", "CHF", "200", "120", "10", Decimal("1.05")),
    ],
    totals=FundingTotals(budget=eur("360"), allocated=eur("226"), remaining=eur("134"), funding_gap=eur("10.50")),
)  # fmt: skip


def test_one_list_in_ranking_order_with_each_status_and_the_grants_of_funded_proposals_only() -> None:
    lines = consolidate(RANKING, DECIDED)
    assert [(line.acronym, line.status, line.rank) for line in lines] == [
        ("P0", "declined", 1),
        ("P1", "funded", 2),
        ("P2", "reserve", 3),
        ("P3", "not_passed", None),
        ("P4", "ineligible", None),
    ]
    assert [line.grants for line in lines] == [[], DECIDED.proposals[1].requested, [], [], []]


def test_withdrawn_proposals_drop_out_of_the_results() -> None:
    lines = consolidate(RANKING, DECIDED, withdrawn={str(IDS[3])})
    assert "P3" not in [line.acronym for line in lines]


def test_a_passing_proposal_without_a_decision_means_the_decisions_are_stale() -> None:
    with pytest.raises(ResultsInconsistentError):
        consolidate(RANKING, DECIDED.model_copy(update={"proposals": []}))


def test_the_csv_holds_the_list_then_the_totals_per_region_and_in_the_reporting_currency() -> None:
    text = results_csv(consolidate(RANKING, DECIDED), CRITERIA, DECIDED)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "rank", "acronym", "proposal_id", "status", "excellence", "impact", "weighted_total", "AT-4 (EUR)",
        "CH-FR (CHF)",
    ]  # fmt: skip
    assert rows[2] == ["2", "P1", str(IDS[1]), "funded", "4", "4", "10", "100.00", "120.00"]
    assert rows[5] == ["", "P4", str(IDS[4]), "ineligible", "", "", "", "", ""]
    assert rows[6] == []
    assert rows[7][:6] == ["region", "currency", "budget", "allocated", "remaining", "funding_gap"]
    assert rows[9] == ["CH-FR", "CHF", "200.00", "120.00", "80.00", "10.00", "210.00", "126.00", "84.00", "10.50"]
    assert rows[10] == ["total", "EUR", "", "", "", "", "360.00", "226.00", "134.00", "10.50"]
    funded_per_region = {g.region_code: g.amount for line in consolidate(RANKING, DECIDED) for g in line.grants}
    assert funded_per_region == {r.region_code: r.allocated.amount for r in DECIDED.regions}
