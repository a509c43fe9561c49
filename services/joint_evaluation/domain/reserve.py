"""The reserve list after the results: money given back is offered down the list (pure, no I/O).

When a grant falls away after the results are published (a partner declines, a project is cancelled), the
money goes back to its region. The published decisions stand: nothing already funded is walked again. The
walk goes down the reserve list once, best first, with each region's *available* budget (what it had left at
publication, plus what came back, minus what later offers funded), by the same rule as ``allocation``: a
proposal is funded when every region it asks money of has at least that much left (then deducted), otherwise
skipped whole. A proposal already funded (at publication or by an earlier offer) is never funded again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .allocation import FundingRequest

_ZERO = Decimal(0)


class OfferStatus(StrEnum):
    PROPOSED = "proposed"  # awaiting its regions' confirmations and the agency's funding
    SUPERSEDED = "superseded"  # a newer release made a newer offer before this one was funded
    FUNDED = "funded"
    NOTHING_FUNDABLE = "nothing_fundable"  # the walk found nothing the money could fund


OFFER_TRANSITIONS: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.PROPOSED: frozenset({OfferStatus.SUPERSEDED, OfferStatus.FUNDED}),
    OfferStatus.SUPERSEDED: frozenset(),
    OfferStatus.FUNDED: frozenset(),
    OfferStatus.NOTHING_FUNDABLE: frozenset(),
}


def can_move(current: OfferStatus, to: OfferStatus) -> bool:
    return to in OFFER_TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class ReserveWalk:
    funded: tuple[str, ...]  # proposal ids, in rank order
    remaining: Mapping[str, Decimal]  # per region, after the offer


def available_budgets(
    remaining_at_publication: Mapping[str, Decimal],
    released: Sequence[Mapping[str, Decimal]],
    funded_since: Sequence[Mapping[str, Decimal]],
) -> dict[str, Decimal]:
    """Per region: its remainder at publication, plus every release, minus every grant funded since."""
    budgets = dict(remaining_at_publication)
    for amounts, sign in [(a, 1) for a in released] + [(a, -1) for a in funded_since]:
        for region, amount in amounts.items():
            budgets[region] = budgets.get(region, _ZERO) + sign * amount
    return budgets


def walk_reserve(
    reserve: Sequence[FundingRequest], budgets: Mapping[str, Decimal], already_funded: Collection[str]
) -> ReserveWalk:
    """Fund down the reserve list (rank order) from ``budgets``; never a proposal twice, never a region over."""
    remaining = dict(budgets)
    funded: list[str] = []
    seen = set(already_funded)
    for request in reserve:
        if request.proposal_id in seen:
            continue
        asks = {region: amount for region, amount in request.requested.items() if amount > 0}
        if not asks or any(remaining.get(region, _ZERO) < amount for region, amount in asks.items()):
            continue
        for region, amount in asks.items():
            remaining[region] -= amount
        funded.append(request.proposal_id)
        seen.add(request.proposal_id)
    return ReserveWalk(tuple(funded), remaining)
