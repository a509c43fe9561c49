"""joint_evaluation's scoring requests, alone: assessments (PUT + submit) and consensus (PUT + finalise).

    .venv/bin/jointcall demo --data-dir /tmp/demo-data      # once: a whole embedded call, databases kept
    .venv/bin/python bench/scoring_bench.py /tmp/demo-data [--concurrency 8] [--profile] [--top 30]

On a copy of the demo's joint_evaluation SQLite database (the original is left alone), the call's evaluation
goes back to before the scoring: its assessments and consensus are deleted and the ranking reopened. Then
joint_evaluation's real app (build_app, its lifespan entered) is called through httpx's ASGITransport with the
demo's own bodies: every assigned expert PUTs its assessment and submits it (each with its own evaluator
token), then the agency PUTs each proposal's consensus and finalises it, `--concurrency` requests in flight.
Reported per kind: requests, wall seconds, requests per second, CPU milliseconds per request of the process.
--profile runs the requests under cProfile (process CPU time) and prints the top functions.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from _common import requests_on_a_copy
from sqlalchemy import delete, select, update

from services.joint_evaluation.app import SERVICE
from services.joint_evaluation.models import Assessment, CallProgress, Consensus
from services.joint_evaluation.settings import Settings
from shared.service import build_app, open_runtime
from shared.settings import DEV_JWT_SECRET
from shared.tokens import issue_token


async def reset(settings: Settings) -> tuple[list[Any], list[Any]]:
    """The recorded assessments and consensus (to post again), then deleted; the ranking reopened."""
    runtime = open_runtime(SERVICE, settings)
    try:
        async with runtime.sessions() as session, session.begin():
            assessments = [
                (a.proposal_id, a.evaluator_id, a.scores, a.justifications)
                for a in (await session.execute(select(Assessment).where(Assessment.status == "submitted"))).scalars()
            ]
            consensus = [
                (c.proposal_id, c.overrides)
                for c in (await session.execute(select(Consensus).where(Consensus.finalised_at.is_not(None))))
                .scalars()
                .all()
            ]
            await session.execute(delete(Consensus))
            await session.execute(delete(Assessment))
            await session.execute(update(CallProgress).values(completed_at=None, ranking=None))
        return assessments, consensus
    finally:
        await runtime.engine.dispose()


async def timed(
    name: str, items: list[Any], action: Callable[[Any], Awaitable[int]], concurrency: int, profile: Any
) -> None:
    gate = asyncio.Semaphore(concurrency)
    failures: list[int] = []

    async def one(item: Any) -> None:
        async with gate:
            failures.extend([await action(item)])

    wall, cpu = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    await asyncio.gather(*(one(item) for item in items))
    if profile is not None:
        profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    bad = sum(1 for status in failures if status >= 300)
    requests = 2 * len(items)
    print(
        f"{name}: {len(items)} x 2 requests in {wall:.2f} s: {requests / wall:.0f} requests/s, "
        f"{1000 * cpu / requests:.1f} ms CPU per request; {bad} answered >= 300"
    )


async def run(data_dir: Path, concurrency: int, profile: Any) -> None:
    settings = Settings(data_dir=data_dir)
    assessments, consensus = await reset(settings)
    app = build_app(SERVICE, settings, broker_check=False)
    agency = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'agency')}"}
    tokens: dict[str, str] = {}

    def expert(evaluator_id: str) -> dict[str, str]:
        if evaluator_id not in tokens:
            tokens[evaluator_id] = issue_token(DEV_JWT_SECRET, f"evaluator:{evaluator_id}")
        return {"Authorization": f"Bearer {tokens[evaluator_id]}"}

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):

        async def assess(item: Any) -> int:
            proposal_id, evaluator_id, scores, justifications = item
            path = f"/proposals/{proposal_id}/assessment"
            body = {"scores": scores, "justifications": justifications}
            put = await client.put(path, json=body, headers=expert(evaluator_id))
            submitted = await client.post(f"{path}/submit", headers=expert(evaluator_id))
            return max(put.status_code, submitted.status_code)

        async def settle(item: Any) -> int:
            proposal_id, overrides = item
            path = f"/proposals/{proposal_id}/consensus"
            put = await client.put(path, json={"criteria": overrides}, headers=agency)
            finalised = await client.post(f"{path}/finalise", headers=agency)
            return max(put.status_code, finalised.status_code)

        await timed("assessments (PUT + submit)", assessments, assess, concurrency, profile)
        await timed("consensus (PUT + finalise)", consensus, settle, concurrency, profile)


def main() -> int:
    return requests_on_a_copy(__doc__, "joint_evaluation.db", 8, run)


if __name__ == "__main__":
    raise SystemExit(main())
