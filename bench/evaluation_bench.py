"""Timings of the joint-evaluation domain logic at scale (seeded, so every run measures the same scenarios).

Run: ``.venv/bin/python bench/evaluation_bench.py``

* ranking of 10,000 scored proposals, then the common-pot allocation of the passing ones over 40 regions
  (targets: allocation of 10,000 proposals under 100 ms);
* assignment of 1,000 proposals to 300 evaluators, 3 each, 2% random conflicts (target: under 10 s).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.joint_evaluation.domain.allocation import (
    FundingRequest,
    RegionBudget,
    ReportingCurrency,
    allocate,
)
from services.joint_evaluation.domain.assignment import (
    AssignmentProblem,
    EvaluatorProfile,
    ProposalProfile,
    assign,
)
from services.joint_evaluation.domain.ranking import ScoredProposal, rank_proposals
from services.joint_evaluation.domain.scoring import Criterion, EvaluationRules, Scale

SEED = 2027
T = TypeVar("T")

RULES = EvaluationRules(
    scale=Scale(min=Decimal(0), max=Decimal(5), step=Decimal("0.5")),
    criteria=(
        Criterion(key="excellence", name="Excellence", weight=Decimal(1), threshold=Decimal(3)),
        Criterion(key="impact", name="Impact", weight=Decimal("1.5"), threshold=Decimal(3)),
        Criterion(key="implementation", name="Implementation", weight=Decimal(1), threshold=Decimal(3)),
    ),
    overall_threshold=Decimal(10),
    tie_break=("excellence", "impact"),
)
TOPICS = [f"topic-{i}" for i in range(40)]
COUNTRIES = ["AT", "DE", "IT", "SI", "FR", "CH", "NL", "BE", "ES", "PL", "SE", "FI"]


def timed(action: Callable[[], T], repeats: int) -> tuple[T, list[float]]:
    timings: list[float] = []
    result: T | None = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - started)
    assert result is not None
    return result, timings


def describe(label: str, timings: list[float], target_ms: float | None = None) -> str:
    median_ms = statistics.median(timings) * 1000
    verdict = (
        "" if target_ms is None else f"  [target < {target_ms:,.0f} ms: {'ok' if median_ms < target_ms else 'MISSED'}]"
    )
    return f"{label}: median {median_ms:8.1f} ms, best {min(timings) * 1000:8.1f} ms ({len(timings)} runs){verdict}"


def scored_proposals(rng: random.Random, count: int) -> list[ScoredProposal]:
    start = datetime(2027, 4, 15, 8, 0, tzinfo=UTC)
    grid = [Decimal(n) / 2 for n in range(4, 11)]  # 2.0 .. 5.0, so most proposals pass
    return [
        ScoredProposal(
            proposal_id=f"P{i:05d}",
            scores={c.key: rng.choice(grid) for c in RULES.criteria},
            submitted_at=start + timedelta(seconds=rng.randrange(36_000)),
        )
        for i in range(count)
    ]


def funding_requests(rng: random.Random, proposal_ids: list[str], regions: list[str]) -> list[FundingRequest]:
    return [
        FundingRequest(
            proposal_id,
            {region: Decimal(rng.randrange(50_000, 350_000)) for region in rng.sample(regions, rng.randint(2, 3))},
        )
        for proposal_id in proposal_ids
    ]


def region_budgets(rng: random.Random, regions: list[str]) -> list[RegionBudget]:
    # About 40% of the demand is fundable: a long reserve list and funding gaps everywhere.
    return [
        RegionBudget(region, "CHF" if i % 8 == 0 else "EUR", Decimal(rng.randrange(20_000_000, 40_000_000)))
        for i, region in enumerate(regions)
    ]


def bench_ranking_and_allocation() -> None:
    rng = random.Random(SEED)
    regions = [f"R{i:02d}" for i in range(40)]
    proposals = scored_proposals(rng, 10_000)
    budgets = region_budgets(rng, regions)
    reporting = ReportingCurrency("EUR", {"CHF": Decimal("1.05")})
    all_requests = funding_requests(rng, [p.proposal_id for p in proposals], regions)
    request_by_id = {r.proposal_id: r for r in all_requests}

    ranking, ranking_times = timed(lambda: rank_proposals(proposals, RULES), repeats=11)
    passing = [request_by_id[entry.proposal_id] for entry in ranking.passed]
    pot, pot_times = timed(lambda: allocate(passing, budgets, reporting), repeats=11)
    # The worst case for the allocation target: all 10,000 proposals walked, most of them onto the reserve.
    ranked_all = [request_by_id[p.proposal_id] for p in proposals]
    full, full_times = timed(lambda: allocate(ranked_all, budgets, reporting), repeats=11)

    print("Ranking and common-pot allocation (10,000 proposals, 40 regions, 2-3 regions each)")
    print(describe("  ranking of 10,000 scored proposals         ", ranking_times))
    print(describe(f"  allocation of the {len(passing):,} passing proposals", pot_times))
    print(describe("  allocation of 10,000 ranked proposals      ", full_times, target_ms=100))
    both = [r + a for r, a in zip(ranking_times, pot_times, strict=True)]
    print(describe("  ranking + allocation                       ", both))
    print(
        f"  passed {len(ranking.passed):,}, funded {len(pot.funded):,}, reserve {len(pot.reserve):,}; "
        f"10,000-proposal run: funded {len(full.funded):,}, reserve {len(full.reserve):,}, "
        f"total gap {full.total_funding_gap_reporting:,} EUR"
    )


def assignment_problem(rng: random.Random) -> AssignmentProblem:
    proposals = tuple(ProposalProfile(f"P{i:04d}", frozenset(rng.sample(TOPICS, 3))) for i in range(1_000))
    evaluators = tuple(
        EvaluatorProfile(f"E{i:03d}", rng.choice(COUNTRIES), max_load=12, expertise=frozenset(rng.sample(TOPICS, 6)))
        for i in range(300)
    )
    conflicts = frozenset((e.evaluator_id, p.proposal_id) for p in proposals for e in evaluators if rng.random() < 0.02)
    return AssignmentProblem(proposals, evaluators, evaluators_per_proposal=3, conflicts=conflicts)


def bench_assignment() -> None:
    problem = assignment_problem(random.Random(SEED))
    result, times = timed(lambda: assign(problem), repeats=3)
    countries = {e.evaluator_id: e.country for e in problem.evaluators}
    diverse = sum(len({countries[e] for e in ids}) == len(ids) for ids in result.evaluators_by_proposal.values())
    print("Assignment (1,000 proposals, 300 evaluators, 3 each, max load 12, 2% random conflicts)")
    print(describe("  assign                                      ", times, target_ms=10_000))
    print(
        f"  {len(problem.conflicts):,} conflicts; {len(result.pairs):,} pairs assigned, "
        f"{len(result.shortfalls)} proposals short, mean affinity "
        f"{result.total_affinity / max(1, len(result.pairs)):.3f}, "
        f"{diverse:,} proposals with all evaluators from different countries, "
        f"max load used {max(result.loads().values())}"
    )


if __name__ == "__main__":
    bench_ranking_and_allocation()
    bench_assignment()
