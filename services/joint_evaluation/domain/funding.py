"""From proposals to the virtual common pot and back (pure, no I/O).

* **Requests per region.** What a proposal asks of a participating region is the sum of the requested funding of
  its FUNDED partners in that region, in the region's currency: partners dropped by the eligibility policy or
  found not eligible are left out, and partners from regions outside the call (self-funded) ask nothing. Regions
  asked for nothing are left out.
* **Decisions.** The allocation (``allocation.allocate``) is reported as funding.decided carries it: per proposal
  its status and what it asks of each region, per region its budget, allocation, remainder and funding gap, in its
  currency and in the reporting currency.
* **A region's part** is what it funds: (proposal id, grant) of every funded proposal it pays for. A region's
  confirmation holds as long as its part stays the same, so a decline elsewhere that leaves it untouched does
  not ask it to confirm again.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter

from shared.events import FundingDecided, FundingDecision, FundingTotals, RegionAmount, RegionFunding
from shared.money import Money

from .allocation import AllocationEntry, AllocationResult, FundingStatus, RegionReport

CENT = Decimal("0.01")


class FundingTrigger(StrEnum):
    """What made a version of the funding decisions: the agency's run, a region's decline of its part, a
    proposal withdrawn after the run; a simulation is never stored or announced."""

    RUN = "run"
    DECLINE = "decline"
    WITHDRAWAL = "withdrawal"
    SIMULATION = "simulation"


@dataclass(frozen=True, slots=True)
class PartnerRequest:
    partner_id: str
    region_code: str
    amount: Decimal
    currency: str


class CurrencyMismatchError(ValueError):
    """A partner asked its region for money in another currency than the region's."""


def requests_by_region(
    partners: Sequence[PartnerRequest], currencies: Mapping[str, str], excluded: Collection[str] = ()
) -> dict[str, Decimal]:
    """Per participating region (code -> currency in ``currencies``), what the funded partners there ask."""
    totals: dict[str, Decimal] = {}
    for partner in partners:
        currency = currencies.get(partner.region_code)
        if currency is None or partner.partner_id in excluded:
            continue  # self-funded, dropped or not eligible: asks nothing
        if partner.currency != currency:
            raise CurrencyMismatchError(
                f"partner {partner.partner_id} asks {partner.region_code} for {partner.currency}, "
                f"the region pays in {currency}"
            )
        totals[partner.region_code] = totals.get(partner.region_code, Decimal(0)) + partner.amount
    return {region: amount for region, amount in totals.items() if amount > 0}


def money(amount: Decimal, currency: str) -> Money:
    return Money(amount=amount.quantize(CENT), currency=currency)


@dataclass(frozen=True, slots=True)
class RankedRequest:
    """A passing proposal's identity on the funding list: its id, acronym and rank."""

    proposal_id: str
    acronym: str
    rank: int


def funding_decided(
    result: AllocationResult,
    ranked: Sequence[RankedRequest],
    currencies: Mapping[str, str],
    *,
    call_id: uuid.UUID,
    version: int,
    decided_at: datetime,
    trigger: FundingTrigger,
    amounts_around_the_line_only: bool = False,
) -> FundingDecided:
    """The allocation as funding.decided announces it (``version`` 0: a simulation, never announced).

    ``amounts_around_the_line_only``, for a simulation shown as outcomes and the funding line alone: only the
    decisions at ``line_positions`` carry their amounts, the others' lists are left empty (building them for
    5,000 proposals took most of a simulation's time). Never for a walk that is stored or announced."""
    by_id = {request.proposal_id: request for request in ranked}
    reporting = result.reporting_currency
    entries = result.entries
    with_amounts = (
        set(line_positions([entry.status.value for entry in entries]))
        if amounts_around_the_line_only
        else range(len(entries))
    )
    return FundingDecided(
        call_id=call_id,
        funding_version=version,
        decided_at=decided_at,
        trigger=trigger,
        reporting_currency=reporting,
        proposals=_DECISIONS.validate_python(
            [
                _decision(entry, by_id[entry.proposal_id], currencies, with_amounts=i in with_amounts)
                for i, entry in enumerate(entries)
            ]
        ),
        regions=[_region_funding(report, reporting) for report in result.regions],
        totals=FundingTotals(
            budget=money(result.total_budget_reporting, reporting),
            allocated=money(result.total_allocated_reporting, reporting),
            remaining=money(result.total_remaining_reporting, reporting),
            funding_gap=money(result.total_funding_gap_reporting, reporting),
        ),
    )


def region_part(decided: FundingDecided, region_code: str) -> list[list[str]]:
    """What the region funds: [proposal id, grant], in rank order."""
    return [
        [str(decision.proposal_id), str(grant.amount)]
        for decision in decided.proposals
        if decision.status == FundingStatus.FUNDED.value
        for grant in decision.requested
        if grant.region_code == region_code
    ]


def line_positions(statuses: Sequence[str], funded_before: int = 5, reserve_after: int = 10) -> list[int]:
    """What a selection meeting discusses first, as positions in the list of passing proposals (rank order): the
    last ``funded_before`` funded proposals above the funding line, then the first ``reserve_after`` reserve (or
    declined) ones below it."""
    funded = [i for i, status in enumerate(statuses) if status == FundingStatus.FUNDED.value]
    last_funded = funded[-1] if funded else -1
    start = max(0, last_funded - funded_before + 1)
    below = [i for i in range(last_funded + 1, len(statuses)) if statuses[i] != FundingStatus.FUNDED.value][
        :reserve_after
    ]
    return [*range(start, last_funded + 1), *below]


def around_the_line(
    decisions: Sequence[FundingDecision], funded_before: int = 5, reserve_after: int = 10
) -> list[FundingDecision]:
    """The decisions at ``line_positions``."""
    positions = line_positions([d.status for d in decisions], funded_before, reserve_after)
    return [decisions[i] for i in positions]


def regions_funding_partners(decided: FundingDecided) -> list[str]:
    """The regions that fund at least one partner, in the order of the call's regions."""
    return [region.region_code for region in decided.regions if region.funded_proposals > 0]


def for_region(decided: FundingDecided, region_code: str) -> FundingDecided:
    """Only the region's own part: the proposals it is asked to fund, its amounts and its budget."""
    proposals = [
        decision.model_copy(
            update={
                "requested": _only(decision.requested, region_code),
                "shortfall": _only(decision.shortfall, region_code),
                "cumulative_gap": _only(decision.cumulative_gap, region_code),
                "declined_by": [code for code in decision.declined_by if code == region_code],
            }
        )
        for decision in decided.proposals
        if any(amount.region_code == region_code for amount in decision.requested)
    ]
    regions = [region for region in decided.regions if region.region_code == region_code]
    return decided.model_copy(update={"proposals": proposals, "regions": regions})


def _only(amounts: list[RegionAmount], region_code: str) -> list[RegionAmount]:
    return [amount for amount in amounts if amount.region_code == region_code]


# The decisions are validated as one list, in one call (pydantic's core), rather than built one model at a time:
# for the 2,784 passing proposals of a 5,000-proposal call, building them one by one took most of the walk's time.
_DECISIONS = TypeAdapter(list[FundingDecision])


def _decision(
    entry: AllocationEntry, ranked: RankedRequest, currencies: Mapping[str, str], *, with_amounts: bool = True
) -> dict[str, Any]:
    def amounts(values: Mapping[str, Decimal]) -> list[dict[str, Any]]:
        if not with_amounts:
            return []
        return [{"region_code": r, "amount": a.quantize(CENT), "currency": currencies[r]} for r, a in values.items()]

    return {
        "proposal_id": entry.proposal_id,
        "acronym": ranked.acronym,
        "rank": ranked.rank,
        "status": entry.status.value,
        "requested": amounts(entry.requested),
        "shortfall": amounts(entry.shortfall),
        "cumulative_gap": amounts(entry.cumulative_gap),
        "declined_by": list(entry.declined_by),
    }


def _region_funding(report: RegionReport, reporting: str) -> RegionFunding:
    currency = report.currency
    return RegionFunding(
        region_code=report.region,
        budget=money(report.budget, currency),
        allocated=money(report.allocated, currency),
        remaining=money(report.remaining, currency),
        funding_gap=money(report.funding_gap, currency),
        funded_proposals=report.funded_proposals,
        budget_reporting=money(report.budget_reporting, reporting),
        allocated_reporting=money(report.allocated_reporting, reporting),
        remaining_reporting=money(report.remaining_reporting, reporting),
        funding_gap_reporting=money(report.funding_gap_reporting, reporting),
    )


def unconfirmed_regions(decided: FundingDecided, confirmed_parts: Mapping[str, list[list[str]]]) -> list[str]:
    """The regions funding partners whose confirmation is missing or was of a part that has changed since."""
    return [
        region
        for region in regions_funding_partners(decided)
        if confirmed_parts.get(region) != region_part(decided, region)
    ]
