"""Server-side render time of the portal's evaluator pages with 50 concurrent evaluators, on the embedded default.

Run: ``.venv/bin/python bench/portal_pages.py`` (target: p95 under 150 ms)

One call with submitted, eligible proposals; 50 experts registered and assigned; 50 signed-in portal sessions,
each loading its assignments page and the scoring form of its first proposal, all at once, several rounds.
In process (httpx's ASGI transport), so the figure is the server's work, without a network.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.embedded import create_embedded_app
from services.registry import SERVICES
from tests.e2e.test_thin_slice_embedded import close_open_items, submit_when_known, until
from tests.helpers import bearer, live_call_body, migrate_in_thread, proposal_body
from tests.portal.test_portal_pages import csrf_of, sign_in

EVALUATORS, ROUNDS, PROPOSALS = 50, 5, 20
AGENCY = bearer("agency")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        for definition in SERVICES.values():
            await migrate_in_thread(definition, definition.settings_class(data_dir=data_dir).database_url)
        app = create_embedded_app(data_dir, retry_delay_ms=100)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://jc") as api,
        ):
            call = (
                await api.post(
                    "/call-definition/calls",
                    json=live_call_body("ALP-BENCH", deadline=timedelta(seconds=25)),
                    headers=AGENCY,
                )
            ).json()
            await api.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
            ids = [
                (await submit_when_known(api, call["id"], proposal_body(acronym=f"P{n:03d}")))["proposal_id"]
                for n in range(PROPOSALS)
            ]
            await until(
                api, f"/regional-eligibility/proposals/{ids[-1]}", lambda b: b["status"] == "checking", within=60
            )
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

            for _ in range(ROUNDS):
                await asyncio.gather(*(one(c, "/evaluator") for c, _ in sessions))
                await asyncio.gather(*(one(c, f"/evaluator/proposals/{p}") for c, p in sessions if p))
            concurrent, timings = timings, []
            # the same pages one at a time: a page's own cost, apart from the queueing of 50 at once
            client, first = next((c, p) for c, p in sessions if p)
            for _ in range(ROUNDS * 4):
                await one(client, "/evaluator")
                await one(client, f"/evaluator/proposals/{first}")
            alone, timings = timings, concurrent
            for client, _ in sessions:
                await client.aclose()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    median = statistics.median(timings)
    print(f"{len(timings)} page renders by {EVALUATORS} concurrent evaluators:", end=" ")
    print(f"median {median:.1f} ms, p95 {p95:.1f} ms (target < 150 ms)")
    alone.sort()
    print(f"{len(alone)} renders one at a time: median {statistics.median(alone):.1f} ms,", end=" ")
    print(f"p95 {alone[int(len(alone) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
