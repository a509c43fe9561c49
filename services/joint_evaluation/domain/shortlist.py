"""The stage-1 shortlist of a two-stage call: who is invited to submit a full proposal (pure, no I/O).

Input: the stage-1 ranking (best first), each pre-proposal with, per region, the indicative requested funding of
its partners in that region (in the region's currency) and the reasons it fell below the stage-1 thresholds (none
when it passed); the regions' no-go decisions with their reasons; each region's budget in its currency; the call's
oversubscription factor and its per-region overrides; fixed reporting rates.

Rules, exactly:

* **Cap.** A region's cap is ``factor x budget``, in its currency, with the region's override of the factor if it
  has one (ERA-NET practice: about 3x, so nobody is invited for money that cannot exist). A region with a zero
  budget has a zero cap: no proposal asking it for money can be invited.
* **Walk.** Go down the ranking once, best first. A proposal is

  1. BELOW_THRESHOLD when it has threshold reasons (it did not pass stage 1; it consumes nothing);
  2. otherwise NO_GO when any region with partners in it said no-go (it consumes nothing; every region's reason
     is kept);
  3. otherwise INVITED when, in every region where it asks a positive amount, the requests of the proposals
     already invited plus its own stay within the cap (exactly at the cap is within); the amounts are then
     counted against the caps;
  4. otherwise CAP_REACHED: the proposals left out *only* because of a region's cap, each with the regions whose
     cap it would have passed and by how much. The walk continues below it.

  Regions asking zero are ignored. No region's invited requests ever exceed its cap.
* **What-if.** ``shortlist`` is pure: a simulation with another factor or other budgets is another call.
* **Reporting.** Per region: budget (what is available), factor and cap, requested funding of the invited
  proposals, the factor reached (requested / budget; none for a zero budget) and how many proposals were invited
  and left out by its cap; the amounts also in the reporting currency at the call's fixed rate (half up to the
  cent), as the common pot reports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.joint_evaluation.domain.allocation import RegionBudget, ReportingCurrency

_ZERO = Decimal(0)


class ShortlistStatus(StrEnum):
    INVITED = "invited"
    CAP_REACHED = "cap_reached"  # left out only because a region's cap was reached
    NO_GO = "no_go"
    BELOW_THRESHOLD = "below_threshold"


INVITED, CAP_REACHED, NO_GO, BELOW_THRESHOLD = (
    ShortlistStatus.INVITED,
    ShortlistStatus.CAP_REACHED,
    ShortlistStatus.NO_GO,
    ShortlistStatus.BELOW_THRESHOLD,
)


@dataclass(frozen=True, slots=True)
class PreProposal:
    """One ranked pre-proposal: region code -> indicative requested funding there, in the region's currency."""

    proposal_id: str
    requested: Mapping[str, Decimal]
    below_threshold: tuple[str, ...] = ()  # the stage-1 ranking's reasons; empty when it passed


@dataclass(frozen=True, slots=True)
class NoGo:
    """A region's assessment of fit: this proposal does not fit its programme."""

    proposal_id: str
    region: str
    reason: str


@dataclass(frozen=True, slots=True)
class CapExcess:
    region: str
    cap: Decimal
    requested_before: Decimal  # invited requests in the region when this proposal was reached
    asked: Decimal

    @property
    def over_by(self) -> Decimal:
        return self.requested_before + self.asked - self.cap


@dataclass(frozen=True, slots=True)
class ShortlistEntry:
    position: int  # 1-based place in the ranked input
    proposal_id: str
    status: ShortlistStatus
    requested: Mapping[str, Decimal]  # positive requests only
    reasons: tuple[str, ...]  # in words, for the applicant; empty when invited
    no_go: tuple[NoGo, ...] = ()
    cap_excess: tuple[CapExcess, ...] = ()


@dataclass(frozen=True, slots=True)
class RegionShortlistReport:
    region: str
    currency: str
    budget: Decimal  # available
    factor: Decimal
    cap: Decimal
    requested: Decimal  # by the invited proposals
    factor_reached: Decimal | None  # requested / budget; None when the budget is zero
    invited_proposals: int
    cap_reached_proposals: int  # proposals left out because this region's cap was reached
    budget_reporting: Decimal
    cap_reporting: Decimal
    requested_reporting: Decimal


@dataclass(frozen=True, slots=True)
class Shortlist:
    entries: tuple[ShortlistEntry, ...]  # in rank order
    regions: tuple[RegionShortlistReport, ...]  # in the order the budgets were given
    reporting_currency: str
    factor: Decimal

    @property
    def invited(self) -> tuple[ShortlistEntry, ...]:
        return self._with(ShortlistStatus.INVITED)

    @property
    def cap_reached(self) -> tuple[ShortlistEntry, ...]:
        """The proposals left out only because of a region's cap."""
        return self._with(ShortlistStatus.CAP_REACHED)

    def entry(self, proposal_id: str) -> ShortlistEntry:
        for entry in self.entries:
            if entry.proposal_id == proposal_id:
                return entry
        raise KeyError(proposal_id)

    def _with(self, status: ShortlistStatus) -> tuple[ShortlistEntry, ...]:
        return tuple(entry for entry in self.entries if entry.status is status)


def shortlist(
    ranked: Sequence[PreProposal],
    budgets: Sequence[RegionBudget],
    factor: Decimal,
    reporting: ReportingCurrency,
    *,
    factor_overrides: Mapping[str, Decimal] | None = None,
    no_gos: Iterable[NoGo] = (),
) -> Shortlist:
    """Walk the stage-1 ranking under the regions' caps (see the module docstring for the exact rules)."""
    overrides = dict(factor_overrides or {})
    factors = _factors(budgets, factor, overrides, reporting)
    caps = {budget.region: factors[budget.region] * budget.budget for budget in budgets}
    vetoes = _no_gos_by_proposal(no_gos, ranked)
    room = dict(caps)  # cap minus what the invited proposals request so far
    invited_counts = dict.fromkeys(caps, 0)
    cap_counts = dict.fromkeys(caps, 0)
    entries: list[ShortlistEntry] = []
    append = entries.append
    for position, proposal in enumerate(ranked, start=1):
        proposal_id = proposal.proposal_id
        asks = _positive_requests(proposal, caps)
        if proposal.below_threshold:
            append(ShortlistEntry(position, proposal_id, BELOW_THRESHOLD, asks, tuple(proposal.below_threshold)))
            continue
        vetoed = vetoes.get(proposal_id)
        if vetoed:
            reasons = tuple(f"Region {v.region} said no-go: {v.reason}" for v in vetoed)
            append(ShortlistEntry(position, proposal_id, NO_GO, asks, reasons, vetoed))
            continue
        for region, amount in asks.items():
            if amount > room[region]:
                break
        else:
            for region, amount in asks.items():
                room[region] -= amount
                invited_counts[region] += 1
            append(ShortlistEntry(position, proposal_id, INVITED, asks, ()))
            continue
        excess = tuple(
            CapExcess(region, caps[region], caps[region] - room[region], amount)
            for region, amount in sorted(asks.items())
            if amount > room[region]
        )
        for item in excess:
            cap_counts[item.region] += 1
        reasons = tuple(f"Region {item.region}'s cap reached" for item in excess)
        append(ShortlistEntry(position, proposal_id, CAP_REACHED, asks, reasons, (), excess))
    reports = tuple(
        _region_report(
            b, factors[b.region], caps[b.region], caps[b.region] - room[b.region], invited_counts, cap_counts, reporting
        )
        for b in budgets
    )
    return Shortlist(tuple(entries), reports, reporting.code, factor)


def _region_report(
    budget: RegionBudget,
    factor: Decimal,
    cap: Decimal,
    requested: Decimal,
    invited: Mapping[str, int],
    cap_reached: Mapping[str, int],
    reporting: ReportingCurrency,
) -> RegionShortlistReport:
    convert = reporting.convert
    return RegionShortlistReport(
        region=budget.region,
        currency=budget.currency,
        budget=budget.budget,
        factor=factor,
        cap=cap,
        requested=requested,
        factor_reached=requested / budget.budget if budget.budget else None,
        invited_proposals=invited[budget.region],
        cap_reached_proposals=cap_reached[budget.region],
        budget_reporting=convert(budget.budget, budget.currency),
        cap_reporting=convert(cap, budget.currency),
        requested_reporting=convert(requested, budget.currency),
    )


def _factors(
    budgets: Sequence[RegionBudget], factor: Decimal, overrides: Mapping[str, Decimal], reporting: ReportingCurrency
) -> dict[str, Decimal]:
    _require_factor("the oversubscription factor", factor)
    factors: dict[str, Decimal] = {}
    for budget in budgets:
        if budget.region in factors:
            raise ValueError(f"two budgets for region {budget.region}")
        if not budget.budget.is_finite() or budget.budget < 0:
            raise ValueError(f"budget of {budget.region} must be a non-negative amount")
        reporting.rate(budget.currency)  # fail fast on a missing rate
        factors[budget.region] = overrides.get(budget.region, factor)
    unknown = sorted(set(overrides) - set(factors))
    if unknown:
        raise ValueError(f"factor overrides for unknown regions: {unknown}")
    for region, value in overrides.items():
        _require_factor(f"the factor of {region}", value)
    return factors


def _require_factor(label: str, value: Decimal) -> None:
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{label} must be positive")


def _positive_requests(proposal: PreProposal, caps: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    has_zero = False
    for region, amount in proposal.requested.items():
        if region not in caps:
            raise ValueError(f"proposal {proposal.proposal_id} requests funding from unknown region {region}")
        if not amount > 0:  # also catches NaN
            if amount != 0:
                raise ValueError(f"proposal {proposal.proposal_id} requests a negative amount from {region}")
            has_zero = True
    if not has_zero:
        return proposal.requested  # the common case: no copy
    return {region: amount for region, amount in proposal.requested.items() if amount > 0}


def _no_gos_by_proposal(no_gos: Iterable[NoGo], ranked: Sequence[PreProposal]) -> dict[str, tuple[NoGo, ...]]:
    """Each proposal's no-gos, by region code; only a region with partners in a proposal (even partners asking
    nothing) may say no-go to it."""
    partner_regions: dict[str, frozenset[str]] = {}
    for proposal in ranked:
        if proposal.proposal_id in partner_regions:
            raise ValueError(f"proposal {proposal.proposal_id} is ranked twice")
        partner_regions[proposal.proposal_id] = frozenset(proposal.requested)
    by_proposal: dict[str, dict[str, NoGo]] = {}
    for no_go in no_gos:
        regions = partner_regions.get(no_go.proposal_id)
        if regions is None or no_go.region not in regions:
            raise ValueError(f"region {no_go.region} has no partner in {no_go.proposal_id}: it cannot say no-go")
        by_proposal.setdefault(no_go.proposal_id, {})[no_go.region] = no_go
    return {pid: tuple(v for _, v in sorted(found.items())) for pid, found in by_proposal.items()}


def with_budgets(budgets: Sequence[RegionBudget], replaced: Mapping[str, Decimal]) -> tuple[RegionBudget, ...]:
    """The same regions with some budgets replaced (for what-if runs of ``shortlist``)."""
    known = {budget.region for budget in budgets}
    unknown = sorted(set(replaced) - known)
    if unknown:
        raise ValueError(f"budgets for unknown regions: {unknown}")
    return tuple(RegionBudget(b.region, b.currency, replaced.get(b.region, b.budget)) for b in budgets)
