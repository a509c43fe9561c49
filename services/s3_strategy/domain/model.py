"""A region's S3 priorities, in the shape of the EU S3 Platform's Eye@RIS3 records."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from .codes import Dimension


@dataclass(frozen=True)
class Priority:
    key: str  # unique within its region: a slug such as "advanced-manufacturing"
    title: str
    description: str = ""
    nace: tuple[str, ...] = ()
    nabs: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    indicative_budget: Decimal | None = None  # what the region could commit to a joint call, in its currency
    programme: str | None = None  # the regional programme the money would come from

    def codes(self, dimension: Dimension) -> tuple[str, ...]:
        return {Dimension.NACE: self.nace, Dimension.NABS: self.nabs, Dimension.OBJECTIVE: self.objectives}[dimension]


@dataclass(frozen=True)
class RegionPriorities:
    code: str  # NUTS or ISO 3166-2, as call_definition uses it: AT-4, DE-BY, CH-FR, SI
    name: str
    currency: str = "EUR"
    source: str = ""  # where the priorities come from, or "illustrative"
    priorities: tuple[Priority, ...] = field(default_factory=tuple)


def canonical(regions: list[RegionPriorities] | tuple[RegionPriorities, ...]) -> list[RegionPriorities]:
    """Regions by code, each one's priorities by key, codes sorted and unique: the order every analysis works in,
    so the same data in any order gives the same result, byte for byte."""
    return [
        replace(region, priorities=tuple(_canonical(p) for p in sorted(region.priorities, key=lambda p: p.key)))
        for region in sorted(regions, key=lambda r: r.code)
    ]


def _canonical(priority: Priority) -> Priority:
    """The priority with each dimension's codes sorted and unique."""
    nace, nabs, objectives = (
        tuple(sorted(set(codes))) for codes in (priority.nace, priority.nabs, priority.objectives)
    )
    return replace(priority, nace=nace, nabs=nabs, objectives=objectives)


@dataclass(frozen=True)
class StoredRegion:
    """A region's priorities as stored: with its revision (+1 per change)."""

    region: RegionPriorities
    revision: int
