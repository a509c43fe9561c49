"""Server-side render time of the portal's evaluator pages with 50 concurrent evaluators, on the embedded default.

Run: ``.venv/bin/python bench/portal_pages.py [--think 1] [--paced 15]`` (target: p95 under 150 ms); ``--think S``
sets the paced phase's reading time between pages (``--paced S`` its length); ``--profile`` adds where the CPU of
the API calls a page makes goes (cProfile over them, one at a time: the services' handlers run in this process).

One call with submitted, eligible proposals; 50 experts registered and assigned; 50 signed-in portal sessions,
each loading its assignments page and the scoring form of its first proposal, all at once, several rounds (the
worst case: 50 requests at the same instant); then the 50 sessions paced as people read (a page, about a second
of reading, the next page) for a while; then one page at a time, and each API call a page makes, alone.
In process (httpx's ASGI transport), so the figure is the server's work, without a network.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import call_with_proposals

from services.embedded import create_embedded_app
from tests.e2e.test_thin_slice_embedded import close_open_items, until
from tests.helpers import bearer, migrate_all
from tests.portal.test_portal_pages import csrf_of, sign_in

EVALUATORS, ROUNDS, PROPOSALS = 50, 5, 20
# Seconds of reading between two pages of one evaluator (on average; `--think S`), and how long the paced phase
# lasts (`--paced S`). 1 s is a hurried reader; an expert reading a proposal and scoring it spends minutes.
THINK, PACED_S = 1.0, 15.0
for flag, value in zip(sys.argv, sys.argv[1:], strict=False):
    if flag == "--think":
        THINK = float(value)
    elif flag == "--paced":
        PACED_S = float(value)
AGENCY = bearer("agency")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        await migrate_all(data_dir)
        app = create_embedded_app(data_dir, retry_delay_ms=100)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://jc") as api,
        ):
            call, ids = await call_with_proposals(api, "ALP-BENCH", timedelta(seconds=25), PROPOSALS, "P")
            for region in ("AT-4", "CH-FR"):
                await close_open_items(api, bearer(f"region:{region}"))
            await until(
                api, f"/joint-evaluation/proposals/{ids[-1]}", lambda b: b["status"] == "awaiting_evaluation", within=30
            )
            experts = []
            for n in range(EVALUATORS):
                body = {
                    "name": f"E{n}",
                    "email": f"e{n}@example.org",
                    "organisation": f"Org {n}",
                    "country": "FR",
                    "expertise": [],
                    "max_load": 5,
                }
                experts.append(
                    (
                        await api.post(f"/joint-evaluation/calls/{call['id']}/evaluators", json=body, headers=AGENCY)
                    ).json()["evaluator"]["id"]
                )
            await api.post(f"/joint-evaluation/calls/{call['id']}/assignment", headers=AGENCY)

            sessions = []
            for expert in experts:
                client = httpx.AsyncClient(transport=transport, base_url="http://jc")
                await sign_in(client, "evaluator", expert)
                mine = (
                    await client.get("/joint-evaluation/evaluators/me/proposals", headers=bearer(f"evaluator:{expert}"))
                ).json()["items"]
                first = mine[0]["proposal_id"] if mine else None
                if first:
                    gate = await client.get(f"/evaluator/proposals/{first}")
                    await client.post(
                        f"/evaluator/proposals/{first}/conflict",
                        data={"csrf_token": csrf_of(gate.text), "conflict": "none"},
                    )
                sessions.append((client, first))

            timings: list[float] = []

            async def one(client: httpx.AsyncClient, path: str) -> None:
                start = time.perf_counter()
                response = await client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.text

            profiler = cProfile.Profile() if "--profile" in sys.argv else None
            started, cpu_started = time.perf_counter(), time.process_time()
            for _ in range(ROUNDS):
                await asyncio.gather(*(one(c, "/evaluator") for c, _ in sessions))
                await asyncio.gather(*(one(c, f"/evaluator/proposals/{p}") for c, p in sessions if p))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            concurrent, timings = timings, []
            # the same pages one at a time: a page's own cost, apart from the queueing of 50 at once
            client, first = next((c, p) for c, p in sessions if p)
            for _ in range(ROUNDS * 4):
                await one(client, "/evaluator")
                await one(client, f"/evaluator/proposals/{first}")
            alone, timings = timings, []
            # 50 people at work: each session asks for a page, reads it for a while (THINK seconds on average,
            # at random), asks for the next, for PACED_S seconds
            rng = random.Random(16)

            async def reader(client: httpx.AsyncClient, first: str | None) -> None:
                until_s = time.perf_counter() + PACED_S
                while time.perf_counter() < until_s:
                    await asyncio.sleep(rng.uniform(0, 2 * THINK))
                    await one(client, f"/evaluator/proposals/{first}" if first and rng.random() < 0.5 else "/evaluator")

            paced_start, paced_cpu_start = time.perf_counter(), time.process_time()
            await asyncio.gather(*(reader(c, p) for c, p in sessions))
            paced_wall, paced, timings = time.perf_counter() - paced_start, timings, concurrent
            paced_cpu = time.process_time() - paced_cpu_start
            # what a page is made of: each API call it makes, alone, with the evaluator's token
            expert_token = bearer(f"evaluator:{experts[next(i for i, (c, p) in enumerate(sessions) if p)]}")
            parts = {
                "GET /joint-evaluation/evaluators/me/proposals": "/joint-evaluation/evaluators/me/proposals",
                "GET /joint-evaluation/proposals/{id}": f"/joint-evaluation/proposals/{first}",
                "GET /call-definition/calls/{id}": f"/call-definition/calls/{call['id']}",
                "GET /static/portal.css (the portal, no API call)": "/static/portal.css",
            }
            costs = {}
            if profiler:
                profiler.enable()
            for name, path in parts.items():
                start = time.perf_counter()
                for _ in range(20):
                    assert (await api.get(path, headers=expert_token)).status_code == 200
                costs[name] = (time.perf_counter() - start) * 1000 / 20
            if profiler:
                profiler.disable()
            for client, _ in sessions:
                await client.aclose()
    timings.sort()
    print(f"concurrent phase: {len(timings)} pages in {wall:.2f} s wall, {cpu:.2f} s CPU of this process:", end=" ")
    print(f"{cpu * 1000 / len(timings):.1f} ms CPU per page, {len(timings) / wall:.0f} pages/s")
    p95 = timings[int(len(timings) * 0.95) - 1]
    median = statistics.median(timings)
    print(f"{len(timings)} page renders by {EVALUATORS} concurrent evaluators:", end=" ")
    print(f"median {median:.1f} ms, p95 {p95:.1f} ms (target < 150 ms)")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    paced.sort()
    print(f"{len(paced)} renders by {EVALUATORS} sessions reading {THINK} s on average between pages", end=" ")
    print(f"(CPU {paced_cpu * 1000 / max(1, len(paced)):.1f} ms per page)", end=" ")
    print(f"({len(paced) / paced_wall:.0f} pages/s): median {statistics.median(paced):.1f} ms,", end=" ")
    print(f"p95 {paced[int(len(paced) * 0.95) - 1]:.1f} ms")
    alone.sort()
    for name, cost in costs.items():
        print(f"  {name}: {cost:.1f} ms alone")
    print(f"{len(alone)} renders one at a time: median {statistics.median(alone):.1f} ms,", end=" ")
    print(f"p95 {alone[int(len(alone) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
