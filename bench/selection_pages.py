"""Render time of the secretariat's selection meeting page for a call of 5,000 proposals, on the embedded default
or the full stack (target: p95 under 300 ms).

Run: ``.venv/bin/python bench/selection_pages.py [--proposals 5000] [--rounds 40] [--data-dir DIR]``
or ``.venv/bin/python bench/selection_pages.py --full-stack [--keep | --reuse NAME] [--rounds 40]``

Setting up 5,000 proposals through intake, eligibility and three assessments each takes far
longer than a benchmark run should, so the call is made the quick way. The call is created and published through
call_definition's API (joint_evaluation learns it from the bus); then joint_evaluation receives, straight into its
event handlers, each proposal's `proposal.submitted` and an eligible `eligibility.decided` (as the bus would
deliver them), and each proposal's final consensus is written into its database (seeded scores, so ties occur and
the tie-breaks work). The ranking is fixed through the API. Then one signed-in agency loads the meeting page
`--rounds` times, in process (httpx's ASGI transport: the server's work without a network), in three states: before
the decision (the page asks for a simulation without top-ups), after the decision (the stored funding), and
the ranking's page 50 (positions 2,451-2,500; later pages show the ranking only, the pot being on the first). Each
request is timed from sending to the last byte; the CPU per request is this process's (every thread: the services'
relays and the bus poll meanwhile too), steadier than the wall time on a shared machine.

``--full-stack`` measures the same pages on the full stack instead (PostgreSQL and RabbitMQ, every service's api and
worker as its own process as bench/pipeline_bench.py starts them, the portal as its own process), from this client
over HTTP, with the CPU per request of joint_evaluation's api, the portal and PostgreSQL; the call is set up the same
way (its handlers run in this process on joint_evaluation's PostgreSQL database), in databases of its own, and each
run measures fresh copies of them. ``--keep`` keeps that set-up (about five minutes) and prints its name;
``--reuse NAME`` measures it again. Exit status 1 when a page misses the target.

``--data-dir DIR`` keeps the databases in DIR and, when DIR already holds a call made by an earlier run, measures it
again without the set-up (which takes about two minutes): to compare a change against the same data. DIR holds the
call as set up (ranking fixed, funding not decided); each run measures a copy of it, so every run starts from the
same state.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import CPU, percentile, timed, uptime

from services.embedded import create_embedded_app
from services.joint_evaluation.models import Consensus
from services.registry import SERVICES
from shared.calls import CallConfiguration
from shared.clock import MovableClock
from tests.api.test_joint_evaluation_api import deliver
from tests.e2e.test_thin_slice_embedded import until
from tests.helpers import (
    bearer,
    call_snapshot,
    decided_event,
    envelope_of,
    live_call_body,
    migrate_all,
    migrate_in_thread,
    partner,
    proposal_body,
    submitted_event,
)
from tests.portal.test_portal_pages import sign_in

AGENCY = bearer("agency")
CALL_FILE = "selection-bench-call"
TARGET_MS = 300
REGIONS = ["AT-4", "AT-5", "DE-BY", "DE-BW", "IT-21", "IT-25", "IT-32", "IT-34", "SI", "FR-BFC", "CH-FR"]


def body_of(n: int, rng: random.Random) -> dict[str, Any]:
    first, second = rng.sample(REGIONS, 2)
    partners = [
        partner(f"Org {n} A", first, role="coordinator", currency="CHF" if first == "CH-FR" else "EUR"),
        partner(f"Org {n} B", second, currency="CHF" if second == "CH-FR" else "EUR"),
    ]
    return proposal_body(*partners, acronym=f"P{n:05d}")


async def fill_call(client: httpx.AsyncClient, evaluation_app: Any, proposals: int) -> str:
    """Through `client` (the embedded app, or a full stack's services by their path prefixes): the call created and
    published, `proposals` eligible proposals delivered to joint_evaluation's handlers (`evaluation_app`, on its
    database), their final consensus written, the ranking fixed; the call's id."""
    rng = random.Random(17)
    body = live_call_body("ALP-BENCH-5K", deadline=timedelta(days=2))
    call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    published = (await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).json()
    await until(client, f"/joint-evaluation/calls/{call['id']}/proposals", lambda b: "items" in b, within=60)
    config = CallConfiguration.model_validate(published["configuration"])
    snapshot = call_snapshot(
        config, call_id=uuid.UUID(call["id"]), version=published["version"], revision=published["revision"]
    )
    clock = MovableClock(datetime.now(UTC))
    started = time.perf_counter()
    ids = []
    for n in range(proposals):
        submitted = submitted_event(snapshot, body_of(n, rng), clock)
        await deliver(evaluation_app, envelope_of(submitted, clock))
        await deliver(evaluation_app, envelope_of(decided_event(submitted, clock), clock))
        ids.append(str(submitted.proposal_id))
        clock.advance(timedelta(seconds=1))
    keys = [c.key for c in config.evaluation.criteria]
    async with evaluation_app.state.runtime.sessions() as session:
        now = datetime.now(UTC)
        for proposal_id in ids:
            scores = {key: str(rng.choice(["2.5", "3", "3.5", "4", "4.5", "5"])) for key in keys}
            session.add(
                Consensus(
                    proposal_id=proposal_id,
                    call_id=call["id"],
                    overrides={},
                    scores=scores,
                    finalised_at=now,
                    finalised_by="bench",
                    updated_at=now,
                )
            )
        await session.commit()
    completed = await client.post(f"/joint-evaluation/calls/{call['id']}/ranking/complete", headers=AGENCY)
    assert completed.status_code == 200, completed.text
    print(f"set-up: {proposals} proposals in {time.perf_counter() - started:.0f} s; {completed.json()}", flush=True)
    return str(call["id"])


async def set_up(data_dir: Path, proposals: int) -> str:
    """The call of `proposals` eligible proposals with their final consensus and the ranking fixed, in data_dir;
    its id."""
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    await migrate_all(data_dir)
    app = create_embedded_app(data_dir, retry_delay_ms=100)
    evaluation_app = next(r.app for r in app.routes if getattr(r, "path", "") == "/joint-evaluation")  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://jc", timeout=120) as client,
    ):
        call_id = await fill_call(client, evaluation_app, proposals)
        (data_dir / CALL_FILE).write_text(call_id)
        return call_id


async def main(proposals: int, rounds: int, kept: Path | None) -> bool:
    print("uptime before:", uptime())
    with tempfile.TemporaryDirectory() as folder:
        if kept is not None and (kept / CALL_FILE).exists():
            call_id = (kept / CALL_FILE).read_text().strip()
            print(f"set-up: the call {call_id} kept in {kept}")
        else:
            if kept is not None:
                await asyncio.to_thread(kept.mkdir, parents=True, exist_ok=True)
            call_id = await set_up(kept or Path(folder) / "seed", proposals)
        seed = kept or Path(folder) / "seed"
        data_dir = Path(folder) / "run"
        shutil.copytree(seed, data_dir)
        for definition in SERVICES.values():  # a kept copy may predate a migration
            await migrate_in_thread(definition, definition.settings_class(data_dir=data_dir).database_url)
        call = {"id": call_id}
        app = create_embedded_app(data_dir, retry_delay_ms=100)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://jc", timeout=120) as client,
        ):
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                await sign_in(client, "agency", "")
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(3):
                    await client.get(os.environ["BENCH_PROFILE"].replace("{call}", call["id"]), headers=AGENCY)
                profile.disable()
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            # Where the page's time goes: the API calls it makes, each alone.
            apis: dict[str, tuple[str, str, dict[str, Any] | None]] = {
                "GET ranking (50 lines)": ("GET", f"/joint-evaluation/calls/{call['id']}/ranking?limit=50", None),
                "POST funding/simulate": (
                    "POST",
                    f"/joint-evaluation/calls/{call['id']}/funding/simulate",
                    {"top_ups": {}},
                ),
                "POST funding/simulate?view=line": (
                    "POST",
                    f"/joint-evaluation/calls/{call['id']}/funding/simulate?view=line",
                    {"top_ups": {}},
                ),
                "GET call": ("GET", f"/call-definition/calls/{call['id']}", None),
                "GET funding (404: undecided)": ("GET", f"/joint-evaluation/calls/{call['id']}/funding", None),
            }
            for name, (method, path, json_body) in apis.items():
                times = []
                for _ in range(5):
                    start = time.perf_counter()
                    await client.request(method, path, json=json_body, headers=AGENCY)
                    times.append((time.perf_counter() - start) * 1000)
                print(f"{name:>26}: median {statistics.median(times):6.0f} ms")
            await sign_in(client, "agency", "")
            meeting = f"/selection/calls/{call['id']}/meeting"
            await timed(client, meeting, 3)  # warm-up
            figures = {"before the decision": await timed(client, meeting, rounds)}
            cpu = {"before the decision": CPU[meeting]}
            decided_answer = await client.post(f"/joint-evaluation/calls/{call['id']}/funding", headers=AGENCY)
            assert decided_answer.status_code == 200, decided_answer.text
            statuses = [p["status"] for p in decided_answer.json()["proposals"]]
            print(f"funding: {statuses.count('funded')} funded, {statuses.count('reserve')} reserve")
            figures["after the decision"] = await timed(client, meeting, rounds)
            cpu["after the decision"] = CPU[meeting]
            print(f"the first page after the decision: {figures['after the decision'][0]:.0f} ms")
            for view in ("all", "line"):
                times = []
                for _ in range(5):
                    start = time.perf_counter()
                    await client.get(f"/joint-evaluation/calls/{call['id']}/funding?view={view}", headers=AGENCY)
                    times.append((time.perf_counter() - start) * 1000)
                print(f"{'GET funding?view=' + view + ' (decided)':>32}: median {statistics.median(times):6.0f} ms")
            figures["ranking page 50"] = await timed(client, meeting + "?page=49", rounds)
            cpu["ranking page 50"] = CPU[meeting + "?page=49"]
            page = await client.get(meeting)
            print(f"page size {len(page.content) // 1024} KB")
            met = report(figures, {name: f"CPU {ms:5.0f} ms per request" for name, ms in cpu.items()})
    print("uptime after:", uptime())
    return met


def report(figures: dict[str, list[float]], cpu: dict[str, str]) -> bool:
    """Each page's p50 / p95 / max and its CPU; whether every p95 is under the target."""
    for name, times in figures.items():
        print(
            f"{name:>22}: p50 {statistics.median(times):6.0f} ms  p95 {percentile(times, 0.95):6.0f} ms"
            f"  max {max(times):6.0f} ms  ({len(times)} requests; {cpu[name]})"
        )
    worst = max(percentile(times, 0.95) for times in figures.values())
    print(f"target p95 < {TARGET_MS} ms: {'met' if worst < TARGET_MS else 'MISSED'} (worst p95 {worst:.0f} ms)")
    return worst < TARGET_MS


# --- the full stack ------------------------------------------------------------------------------------


def full_stack(args: argparse.Namespace) -> bool:
    """The same three pages on the full stack (bench/page_stack.py: PostgreSQL and RabbitMQ, a process per service
    and worker, the portal apart, fresh copies of the set-up databases, `--keep` and `--reuse`), timed from this
    client over HTTP; every measuring run starts before the decision."""
    from page_stack import measured_on_full_stack

    def measure(run: Any, portal_url: str, meter: Any) -> Any:
        return _measure_full_stack(run, portal_url, args.rounds, meter)

    return measured_on_full_stack(args, "selection-pages", lambda seed: _fill_full_stack(seed, args.proposals), measure)


async def _fill_full_stack(stack: Any, proposals: int) -> None:
    from services.demo.transport import RoutingTransport
    from services.joint_evaluation.app import create_app
    from services.joint_evaluation.settings import Settings

    evaluation_app = create_app(Settings(database_url=stack.sqlalchemy_url("joint_evaluation")))
    transport = RoutingTransport.for_services({name: stack.url(name) for name in SERVICES})
    async with (
        evaluation_app.router.lifespan_context(evaluation_app),
        httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=120) as client,
    ):
        await fill_call(client, evaluation_app, proposals)


async def _measure_full_stack(run: Any, portal_url: str, rounds: int, meter: Any) -> bool:
    from page_stack import cpu_per_request, one_value

    query = "SELECT call_id FROM call_progress WHERE completed_at IS NOT NULL"
    call_id = str(await one_value(run.dsn("joint_evaluation"), query))
    figures: dict[str, list[float]] = {}
    cpu: dict[str, str] = {}
    async with (
        httpx.AsyncClient(base_url=portal_url, timeout=120) as client,
        httpx.AsyncClient(base_url=run.url("joint_evaluation"), timeout=120, headers=AGENCY) as evaluation,
    ):
        await sign_in(client, "agency", "")
        meeting = f"/selection/calls/{call_id}/meeting"

        async def measured(name: str, path: str) -> None:
            with meter() as used:
                started = time.perf_counter()
                figures[name] = await timed(client, path, rounds)
                wall = time.perf_counter() - started
            labels = ("api:joint_evaluation", "portal", "postgres: this run's sessions")
            cpu[name] = cpu_per_request(used, labels, wall, rounds)

        await timed(client, meeting, 3)  # warm-up
        await measured("before the decision", meeting)
        started = time.perf_counter()
        decided = await evaluation.post(f"/calls/{call_id}/funding")
        assert decided.status_code == 200, decided.text
        statuses = [p["status"] for p in decided.json()["proposals"]]
        print(
            f"funding decided in {(time.perf_counter() - started) * 1000:.0f} ms: {statuses.count('funded')} funded, "
            f"{statuses.count('reserve')} reserve",
            flush=True,
        )
        await measured("after the decision", meeting)
        print(f"the first page after the decision: {figures['after the decision'][0]:.0f} ms", flush=True)
        await measured("ranking page 50", meeting + "?page=49")
    return report(figures, cpu)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the set-up call here and reuse it")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from page_stack import add_arguments

    add_arguments(parser)
    arguments = parser.parse_args()
    if arguments.full_stack:
        sys.exit(0 if full_stack(arguments) else 1)
    sys.exit(0 if asyncio.run(main(arguments.proposals, arguments.rounds, arguments.data_dir)) else 1)
