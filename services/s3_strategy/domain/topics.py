"""Candidate joint topics: the codes that at least k regions prioritise, ranked for a joint call.

A topic is one code of one dimension (`nace:28`, `nabs:05`, `objective:digital_transformation`) as the priorities
carry it. Its regions are those with at least one priority carrying the code; for each, the matching priorities,
their programmes and the sum of their indicative budgets (in the region's currency). The topic's similarity is the
mean synergy (the matrix's combined value) over its pairs of regions (1 for a single region), and its budget the
sum of its regions' budgets in the reporting currency (1 unit of a currency = rate units of the reporting one).

Ranked by: number of regions (more first), similarity (higher first), total budget (larger first), then
dimension (NACE, NABS, objectives) and code, so no two topics tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from .codes import CodeList, Dimension, code_lists
from .model import RegionPriorities, canonical
from .synergy import SynergyMatrix

DIMENSION_ORDER = {Dimension.NACE: 0, Dimension.NABS: 1, Dimension.OBJECTIVE: 2}
CENT = Decimal("0.01")


class MissingRate(ValueError):
    """A region's budget is in a currency without a rate to the reporting currency."""

    def __init__(self, currency: str, reporting_currency: str) -> None:
        super().__init__(f"no rate from {currency} to {reporting_currency}")
        self.currency = currency
        self.reporting_currency = reporting_currency


@dataclass(frozen=True)
class MatchingPriority:
    key: str
    title: str
    programme: str | None
    indicative_budget: Decimal | None


@dataclass(frozen=True)
class TopicRegion:
    code: str
    name: str
    currency: str
    priorities: tuple[MatchingPriority, ...]
    indicative_budget: Decimal  # in the region's currency; 0 when none of its matching priorities gives one

    @property
    def programmes(self) -> tuple[str, ...]:
        return tuple(sorted({p.programme for p in self.priorities if p.programme}))


@dataclass(frozen=True)
class Topic:
    id: str  # "<dimension>:<code>"
    dimension: Dimension
    code: str
    label: str
    regions: tuple[TopicRegion, ...]
    similarity: float
    total_budget: Decimal  # in the reporting currency
    reporting_currency: str

    @property
    def region_count(self) -> int:
        return len(self.regions)


def topic_id(dimension: Dimension, code: str) -> str:
    return f"{dimension.value}:{code}"


def candidate_topics(
    regions: Sequence[RegionPriorities],
    matrix: SynergyMatrix,
    *,
    k: int,
    reporting_currency: str = "EUR",
    rates: Mapping[str, Decimal] | None = None,
    lists: Mapping[Dimension, CodeList] | None = None,
) -> list[Topic]:
    """Every code shared by at least `k` regions, ranked (see the module's docstring). `k` must be at least 1;
    a `k` above the number of regions gives no topic."""
    if k < 1:
        raise ValueError("k must be at least 1")
    lists = lists or code_lists()
    rates = {**(rates or {}), reporting_currency: Decimal(1)}
    ordered = canonical(list(regions))
    index = matrix.index()
    values = np.asarray(matrix.combined, dtype=np.float64).reshape(len(matrix.regions), len(matrix.regions))
    holders: dict[tuple[Dimension, str], list[TopicRegion]] = {}
    for region in ordered:
        for dimension in DIMENSION_ORDER:
            by_code: dict[str, list[MatchingPriority]] = {}
            for priority in region.priorities:
                for code in priority.codes(dimension):
                    by_code.setdefault(code, []).append(
                        MatchingPriority(priority.key, priority.title, priority.programme, priority.indicative_budget)
                    )
            for code, matching in by_code.items():
                budget = sum((p.indicative_budget or Decimal(0) for p in matching), Decimal(0))
                holders.setdefault((dimension, code), []).append(
                    TopicRegion(region.code, region.name, region.currency, tuple(matching), budget)
                )
    topics: list[Topic] = []
    for (dimension, code), members in holders.items():
        if len(members) < k:
            continue
        topics.append(
            Topic(
                id=topic_id(dimension, code),
                dimension=dimension,
                code=code,
                label=lists[dimension].title(code),
                regions=tuple(members),
                similarity=_mean_synergy([index[m.code] for m in members], values),
                total_budget=_in_reporting(members, rates, reporting_currency),
                reporting_currency=reporting_currency,
            )
        )
    topics.sort(key=lambda t: (-t.region_count, -t.similarity, -t.total_budget, DIMENSION_ORDER[t.dimension], t.code))
    return topics


def _mean_synergy(rows: list[int], values: npt.NDArray[np.float64]) -> float:
    """The mean of the matrix over the distinct pairs of these regions (the diagonal's ones left out)."""
    n = len(rows)
    if n < 2:
        return 1.0
    block = values[np.ix_(rows, rows)]
    return round((float(block.sum()) - float(np.trace(block))) / (n * (n - 1)), 6)


def _in_reporting(members: Sequence[TopicRegion], rates: Mapping[str, Decimal], reporting_currency: str) -> Decimal:
    total = Decimal(0)
    for member in members:
        if member.indicative_budget == 0:
            continue
        rate = rates.get(member.currency)
        if rate is None:
            raise MissingRate(member.currency, reporting_currency)
        total += member.indicative_budget * rate
    return total.quantize(CENT)
