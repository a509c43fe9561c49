"""Timing of the S3 synergy analysis at scale: 300 regions x 20 priorities (seeded: every run measures the same data).

Run: ``.venv/bin/python bench/s3_bench.py [--runs 5] [--regions 300] [--priorities 20] [-k 3]``

Each run computes the synergy matrix (coded similarity over NACE/NABS/objectives and TF-IDF over the texts) and
the ranked candidate topics shared by at least k regions, from the same in-memory data, and prints its time; the
median is compared with the target (< 1 s for matrix + topics). Every run's results are hashed: they must be
identical (byte-for-byte reproducibility), or the bench fails.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.s3_strategy.domain.codes import Dimension, code_lists
from services.s3_strategy.domain.model import Priority, RegionPriorities
from services.s3_strategy.domain.synergy import synergy_matrix
from services.s3_strategy.domain.topics import candidate_topics

SEED = 2027
TARGET_S = 1.0
COUNTRIES = ("AT", "DE", "IT", "FR", "SI", "CH", "ES", "PL", "NL", "BE", "SE", "FI", "PT", "CZ", "HU")


def generate(regions: int, priorities: int, seed: int = SEED) -> list[RegionPriorities]:
    rng = random.Random(seed)
    lists = code_lists()
    divisions = [c.code for c in lists[Dimension.NACE].codes if c.level == "division"]
    chapters = [c.code for c in lists[Dimension.NABS].codes]
    objectives = [c.code for c in lists[Dimension.OBJECTIVE].codes]
    words = [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('lmnrst')}{i}" for i in range(3000)]
    # Zipf-like: a few themes are common, most are rare, as in real strategies
    weights = [1 / (rank + 1) for rank in range(len(words))]
    result = []
    for r in range(regions):
        code = f"{COUNTRIES[r % len(COUNTRIES)]}-{r:03d}"
        own = []
        for p in range(priorities):
            text = " ".join(rng.choices(words, weights=weights, k=rng.randint(20, 60)))
            own.append(
                Priority(
                    key=f"p{p:02d}",
                    title=f"Priority {p} {rng.choice(words)} {rng.choice(words)}",
                    description=text,
                    nace=tuple(rng.sample(divisions, rng.randint(1, 3))),
                    nabs=tuple(rng.sample(chapters, rng.randint(1, 2))),
                    objectives=tuple(rng.sample(objectives, rng.randint(1, 2))),
                    indicative_budget=Decimal(rng.randrange(50, 500) * 1000) if rng.random() < 0.7 else None,
                    programme=f"Programme {code}",
                )
            )
        result.append(
            RegionPriorities(code, f"Region {r}", "CHF" if code.startswith("CH") else "EUR", "bench", tuple(own))
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regions", type=int, default=300)
    parser.add_argument("--priorities", type=int, default=20)
    parser.add_argument("-k", type=int, default=3)
    args = parser.parse_args()
    data = generate(args.regions, args.priorities)
    rates = {"CHF": Decimal("1.05")}
    times, matrix_times, digests = [], [], set()
    topic_count = 0
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        matrix = synergy_matrix(data)
        middle = time.perf_counter()
        topics = candidate_topics(data, matrix, k=args.k, rates=rates)
        end = time.perf_counter()
        times.append(end - start)
        matrix_times.append(middle - start)
        topic_count = len(topics)
        digest = hashlib.sha256(repr((matrix, topics)).encode()).hexdigest()
        digests.add(digest)
        print(
            f"run {run}: matrix {1000 * (middle - start):7.1f} ms, topics {1000 * (end - middle):6.1f} ms, "
            f"total {1000 * (end - start):7.1f} ms  (sha256 {digest[:12]})"
        )
    median = statistics.median(times)
    print(
        f"{args.regions} regions x {args.priorities} priorities, {topic_count} topics with k={args.k}: "
        f"median {1000 * median:.1f} ms (matrix {1000 * statistics.median(matrix_times):.1f} ms), target < "
        f"{1000 * TARGET_S:.0f} ms; results identical across runs: {'yes' if len(digests) == 1 else 'NO'}"
    )
    if median >= TARGET_S or len(digests) != 1:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
