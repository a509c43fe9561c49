"""Funding decisions by the virtual common pot (pure, no I/O).

Input: the passing proposals in rank order (best first), each with, per region, the total requested funding of
its funded partners in that region, in the region's currency; each region's budget in its currency; optional
declines ``(proposal, region)``; fixed reporting rates.

Rules, exactly:

* **Walk.** Go down the ranking once, best first. A proposal is FUNDED when every region in which it requests a
  positive amount still has a remaining budget >= that amount (exactly equal is enough); the amounts are then
  deducted. Otherwise the whole proposal goes to the RESERVE list (never partly funded), with its *shortfall*:
  for each region that lacked money, ``request - remaining`` at that moment. The walk continues below it.
  Regions requesting zero are ignored. No region is ever overspent.
* **Declines.** A region that declines a proposal makes it unfundable: it is DECLINED, consumes nothing and is
  not on the reserve list. This is the same as redoing the walk below it with the budget it would have used
  (proposals above it are unaffected, since the walk only looks upwards), so the walk simply skips it.
* **Funding gap.** For the j-th reserve proposal (reserve list in rank order), the cumulative gap of region r is
  ``max(0, funded_r + reserve_r(1..j) - budget_r)``, where ``funded_r`` is what the walk allocated in r and
  ``reserve_r(1..j)`` the requests in r of the first j reserve proposals. Equivalently: walk the reserve list in
  order from the remaining budgets, and whenever a region lacks money for a reserve proposal, add exactly what
  is missing. It is the least top-up that lets r pay for all funded proposals and reserve proposals 1..j, and it
  is enough: re-running ``allocate`` with every region topped up by its cumulative gap at j funds exactly the
  funded proposals plus reserve proposals 1..j (``AllocationResult.top_ups_to_fund_through``). The funding gap
  of a region is its cumulative gap at the last reserve proposal (what it must add to fund the whole reserve
  list). Each reserve entry records the cumulative gap of its own regions only, where it changes: 40 regions
  copied into 10^4 entries would cost more than the walk itself.
* **What-if.** ``allocate`` is pure: a simulation with top-ups is a call with changed budgets
  (``with_top_ups``).
* **Reporting.** Every figure is given in the region's currency, and converted to the reporting currency at the
  call's fixed rate (1 unit of the currency = ``rate`` units of the reporting currency; the reporting currency
  itself has rate 1), rounded half up to the cent. Totals in the reporting currency are sums of the rounded
  per-region figures, so a report adds up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_NOTHING: Mapping[str, Decimal] = MappingProxyType({})  # shared and read-only: no new dict per entry


class FundingStatus(StrEnum):
    FUNDED = "funded"
    RESERVE = "reserve"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class FundingRequest:
    """One passing proposal: region code -> requested funding of its partners there, in the region's currency."""

    proposal_id: str
    requested: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class RegionBudget:
    region: str
    currency: str
    budget: Decimal


@dataclass(frozen=True, slots=True)
class Decline:
    proposal_id: str
    region: str


@dataclass(frozen=True, slots=True)
class ReportingCurrency:
    """Fixed rates: 1 unit of ``currency`` = ``rates[currency]`` units of ``code``."""

    code: str
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    def rate(self, currency: str) -> Decimal:
        if currency == self.code:
            return Decimal(1)
        try:
            return self.rates[currency]
        except KeyError:
            raise ValueError(f"no reporting rate for {currency} into {self.code}") from None

    def convert(self, amount: Decimal, currency: str) -> Decimal:
        return (amount * self.rate(currency)).quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class AllocationEntry:
    position: int  # 1-based place in the ranked input
    proposal_id: str
    status: FundingStatus
    requested: Mapping[str, Decimal]  # positive requests only
    shortfall: Mapping[str, Decimal] = field(default_factory=dict)  # reserve: what each short region lacked
    # reserve: the cumulative gap at this proposal in its own regions, where it is positive
    cumulative_gap: Mapping[str, Decimal] = field(default_factory=dict)
    declined_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RegionReport:
    region: str
    currency: str
    budget: Decimal
    allocated: Decimal
    remaining: Decimal
    funding_gap: Decimal
    funded_proposals: int
    budget_reporting: Decimal
    allocated_reporting: Decimal
    remaining_reporting: Decimal
    funding_gap_reporting: Decimal


@dataclass(frozen=True, slots=True)
class AllocationResult:
    entries: tuple[AllocationEntry, ...]  # in rank order
    regions: tuple[RegionReport, ...]  # in the order the budgets were given
    reporting_currency: str
    total_budget_reporting: Decimal
    total_allocated_reporting: Decimal
    total_remaining_reporting: Decimal
    total_funding_gap_reporting: Decimal

    @property
    def funded(self) -> tuple[AllocationEntry, ...]:
        return self._with(FundingStatus.FUNDED)

    @property
    def reserve(self) -> tuple[AllocationEntry, ...]:
        return self._with(FundingStatus.RESERVE)

    @property
    def declined(self) -> tuple[AllocationEntry, ...]:
        return self._with(FundingStatus.DECLINED)

    @property
    def funding_gap(self) -> dict[str, Decimal]:
        """Per region, the top-up needed to fund the whole reserve list (zero where nothing is needed)."""
        return {report.region: report.funding_gap for report in self.regions}

    def top_ups_to_fund_through(self, proposal_id: str) -> dict[str, Decimal]:
        """Per region, the least top-up that funds every funded proposal and the reserve down to this one."""
        top_ups: dict[str, Decimal] = {}
        for entry in self.reserve:
            top_ups.update(entry.cumulative_gap)  # gaps only grow down the list: the latest value is the one
            if entry.proposal_id == proposal_id:
                return top_ups
        raise KeyError(f"{proposal_id} is not on the reserve list")

    def status_of(self, proposal_id: str) -> FundingStatus:
        for entry in self.entries:
            if entry.proposal_id == proposal_id:
                return entry.status
        raise KeyError(proposal_id)

    def _with(self, status: FundingStatus) -> tuple[AllocationEntry, ...]:
        return tuple(entry for entry in self.entries if entry.status is status)


# A reserve proposal during the walk: (position, proposal id, positive requests, shortfall).
_Skipped = tuple[int, str, Mapping[str, Decimal], dict[str, Decimal]]


def allocate(
    ranked: Sequence[FundingRequest],
    budgets: Sequence[RegionBudget],
    reporting: ReportingCurrency,
    declines: Iterable[Decline] = (),
) -> AllocationResult:
    """Walk the ranking over the virtual common pot (see the module docstring for the exact rules)."""
    budget_by_region = _budgets_by_region(budgets, reporting)
    requests = [_positive_requests(request, budget_by_region) for request in ranked]
    declined_by = _declines_by_proposal(declines, ranked, requests)
    remaining = {region: budget.budget for region, budget in budget_by_region.items()}
    placed, skipped = _walk(ranked, requests, declined_by, remaining)
    reserve, gap = _reserve_entries(skipped, remaining)
    next_reserve = iter(reserve)  # reserve places come in rank order, like the reserve entries
    entries = [entry if entry is not None else next(next_reserve) for entry in placed]
    return _result(entries, budgets, remaining, gap, reporting)


def with_top_ups(budgets: Sequence[RegionBudget], top_ups: Mapping[str, Decimal]) -> tuple[RegionBudget, ...]:
    """The same budgets with non-negative top-ups added (for what-if runs of ``allocate``)."""
    known = {budget.region for budget in budgets}
    unknown = sorted(set(top_ups) - known)
    if unknown:
        raise ValueError(f"top-ups for unknown regions: {unknown}")
    if any(amount < 0 for amount in top_ups.values()):
        raise ValueError("top-ups must not be negative")
    return tuple(RegionBudget(b.region, b.currency, b.budget + top_ups.get(b.region, _ZERO)) for b in budgets)


def _walk(
    ranked: Sequence[FundingRequest],
    requests: list[Mapping[str, Decimal]],
    declined_by: Mapping[str, tuple[str, ...]],
    remaining: dict[str, Decimal],
) -> tuple[list[AllocationEntry | None], list[_Skipped]]:
    """Fund or skip each proposal in turn; reserve places stay None until their cumulative gaps are known."""
    entries: list[AllocationEntry | None] = []
    skipped: list[_Skipped] = []
    for position, (proposal, asks) in enumerate(zip(ranked, requests, strict=True), start=1):
        proposal_id = proposal.proposal_id
        if proposal_id in declined_by:
            entry = AllocationEntry(
                position, proposal_id, FundingStatus.DECLINED, asks, _NOTHING, _NOTHING, declined_by[proposal_id]
            )
        else:
            shortfall = _shortfall(asks, remaining)
            if shortfall:
                skipped.append((position, proposal_id, asks, shortfall))
                entries.append(None)
                continue
            for region, amount in asks.items():
                remaining[region] -= amount
            entry = AllocationEntry(position, proposal_id, FundingStatus.FUNDED, asks, _NOTHING, _NOTHING, ())
        entries.append(entry)
    return entries, skipped


def _shortfall(asks: Mapping[str, Decimal], remaining: Mapping[str, Decimal]) -> dict[str, Decimal]:
    shortfall: dict[str, Decimal] = {}
    for region, amount in asks.items():
        available = remaining[region]
        if amount > available:
            shortfall[region] = amount - available
    return shortfall


def _reserve_entries(
    skipped: list[_Skipped], remaining: Mapping[str, Decimal]
) -> tuple[list[AllocationEntry], dict[str, Decimal]]:
    """The reserve entries with their cumulative gaps, and the funding gap per region."""
    # spare[r] = budget - funded - reserve requests so far; the cumulative gap is max(0, -spare).
    spare = dict(remaining)
    gap: dict[str, Decimal] = {}
    entries: list[AllocationEntry] = []
    for position, proposal_id, asks, shortfall in skipped:
        own_gap: dict[str, Decimal] = {}
        for region, amount in asks.items():
            left = spare[region] = spare[region] - amount
            if left < 0:
                own_gap[region] = gap[region] = -left
        entries.append(AllocationEntry(position, proposal_id, FundingStatus.RESERVE, asks, shortfall, own_gap, ()))
    return entries, gap


def _result(
    entries: list[AllocationEntry],
    budgets: Sequence[RegionBudget],
    remaining: Mapping[str, Decimal],
    gap: Mapping[str, Decimal],
    reporting: ReportingCurrency,
) -> AllocationResult:
    funded_counts: dict[str, int] = dict.fromkeys(remaining, 0)
    for entry in entries:
        if entry.status is FundingStatus.FUNDED:
            for region in entry.requested:
                funded_counts[region] += 1
    reports = tuple(
        _region_report(b, remaining[b.region], gap.get(b.region, _ZERO), funded_counts[b.region], reporting)
        for b in budgets
    )
    return AllocationResult(
        entries=tuple(entries),
        regions=reports,
        reporting_currency=reporting.code,
        total_budget_reporting=sum((r.budget_reporting for r in reports), _ZERO),
        total_allocated_reporting=sum((r.allocated_reporting for r in reports), _ZERO),
        total_remaining_reporting=sum((r.remaining_reporting for r in reports), _ZERO),
        total_funding_gap_reporting=sum((r.funding_gap_reporting for r in reports), _ZERO),
    )


def _region_report(
    budget: RegionBudget, remaining: Decimal, gap: Decimal, funded: int, reporting: ReportingCurrency
) -> RegionReport:
    allocated = budget.budget - remaining
    convert = reporting.convert
    return RegionReport(
        region=budget.region,
        currency=budget.currency,
        budget=budget.budget,
        allocated=allocated,
        remaining=remaining,
        funding_gap=gap,
        funded_proposals=funded,
        budget_reporting=convert(budget.budget, budget.currency),
        allocated_reporting=convert(allocated, budget.currency),
        remaining_reporting=convert(remaining, budget.currency),
        funding_gap_reporting=convert(gap, budget.currency),
    )


def _budgets_by_region(budgets: Sequence[RegionBudget], reporting: ReportingCurrency) -> dict[str, RegionBudget]:
    by_region: dict[str, RegionBudget] = {}
    for budget in budgets:
        if budget.region in by_region:
            raise ValueError(f"two budgets for region {budget.region}")
        if not budget.budget.is_finite() or budget.budget < 0:
            raise ValueError(f"budget of {budget.region} must be a non-negative amount")
        reporting.rate(budget.currency)  # fail fast on a missing rate
        by_region[budget.region] = budget
    return by_region


def _positive_requests(request: FundingRequest, budgets: Mapping[str, RegionBudget]) -> Mapping[str, Decimal]:
    has_zero = False
    for region, amount in request.requested.items():
        if region not in budgets:
            raise ValueError(f"proposal {request.proposal_id} requests funding from unknown region {region}")
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"proposal {request.proposal_id} requests a negative amount from {region}")
        has_zero = has_zero or amount == 0
    if not has_zero:
        return request.requested  # the common case: no copy, fewer objects for the garbage collector
    return {region: amount for region, amount in request.requested.items() if amount > 0}


def _declines_by_proposal(
    declines: Iterable[Decline], ranked: Sequence[FundingRequest], requests: list[Mapping[str, Decimal]]
) -> dict[str, tuple[str, ...]]:
    asks_by_proposal: dict[str, Mapping[str, Decimal]] = {}
    for proposal, asks in zip(ranked, requests, strict=True):
        if proposal.proposal_id in asks_by_proposal:
            raise ValueError(f"proposal {proposal.proposal_id} is ranked twice")
        asks_by_proposal[proposal.proposal_id] = asks
    regions: dict[str, set[str]] = {}
    for decline in declines:
        declined_asks = asks_by_proposal.get(decline.proposal_id)
        if declined_asks is None or decline.region not in declined_asks:
            raise ValueError(f"region {decline.region} cannot decline {decline.proposal_id}: it funds no partner in it")
        regions.setdefault(decline.proposal_id, set()).add(decline.region)
    return {proposal_id: tuple(sorted(declining)) for proposal_id, declining in regions.items()}
