"""CPU cost per request of proposal_intake's draft, pre-check and submit, in one process, on PostgreSQL.

A companion of bench/deadline_surge.py: the surge runs on a shared two-core machine where wall-clock
figures move with whatever else runs; the CPU milliseconds one request costs the API process do not,
so this is what to compare before and after a change (and where to look, with --profile).

    .venv/bin/python bench/profile_intake.py [--flows 300] [--loop asyncio]
    .venv/bin/python bench/profile_intake.py --profile [--profile-ops submit] [--sort tottime] [--top 40]

The app is proposal_intake's real FastAPI app (create_app) on a fresh PostgreSQL database, called
directly through ASGI (no sockets, no HTTP client), with the same ~10 KB proposals as the surge, on
uvloop as uvicorn runs it (--loop asyncio for the standard loop). Every flow: POST draft, GET pre-check,
POST submit with an Idempotency-Key, then the same submit again. The first 20 flows warm caches up and
are not counted.

--profile runs cProfile with a CPU-time timer (the waits for PostgreSQL cost the API nothing and are
left out) over the requests named by --profile-ops (all by default), prints the top functions, then the
own CPU time per request grouped by package (fastapi, sqlalchemy, shared/rules, ...): which layer costs
what. The profiler inflates pure-Python code several times over; compare shares, and take the figures
without --profile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asyncpg  # noqa: E402
from deadline_surge import alpine_call_body, proposal_payload  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from services.proposal_intake.app import SERVICE, create_app  # noqa: E402
from services.proposal_intake.settings import Settings  # noqa: E402
from shared.calls import CallConfiguration  # noqa: E402
from shared.clock import SystemClock  # noqa: E402
from shared.events import CallPublished, CallSnapshot, make_envelope  # noqa: E402
from shared.http.auth import issue_token  # noqa: E402
from shared.service import migrate  # noqa: E402
from shared.settings import DEV_JWT_SECRET  # noqa: E402
from tests.helpers import call_snapshot  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def asgi(app: FastAPI, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One request straight into the ASGI app: (status, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def published(body: dict[str, Any]) -> CallSnapshot:
    return call_snapshot(CallConfiguration.model_validate(body))


async def measure(
    app: FastAPI, flows: int, seed: int, profile: cProfile.Profile | None, profile_ops: frozenset[str] = frozenset()
) -> dict[str, Any]:
    body = alpine_call_body(datetime.now(UTC))
    call = published(body)
    envelope = make_envelope(CallPublished(call=call), source="bench", subject=str(call.call_id), clock=SystemClock())
    for subscription in app.state.definition.subscriptions(app.state.runtime):
        await subscription.handler(envelope)
    rng = random.Random(seed)
    cpu: dict[str, list[float]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)

    warm = False  # the first flows warm caches up: neither counted nor profiled

    async def timed(op: str, expected: int, method: str, path: str, headers: dict[str, str], data: bytes = b"") -> Any:
        profiled = profile if warm and (not profile_ops or op in profile_ops) else None
        if profiled:
            profiled.enable()
        c0, w0 = time.process_time(), time.perf_counter()
        status, answer = await asgi(app, method, path, headers, data)
        c1, w1 = time.process_time(), time.perf_counter()
        if profiled:
            profiled.disable()
        if status != expected:
            raise RuntimeError(f"{op}: {status} {answer[:500]!r}")
        cpu[op].append(c1 - c0)
        wall[op].append(w1 - w0)
        return json.loads(answer)

    for index in range(flows + 20):
        if index == 20:
            cpu.clear()
            wall.clear()
            warm = True
        label = f"X{index:05d}"
        token = issue_token(DEV_JWT_SECRET, f"consortium:profile-{label.lower()}")
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        payload = json.dumps(proposal_payload(rng, label, body), ensure_ascii=False).encode()
        draft = await timed("draft", 201, "POST", f"/calls/{call.call_id}/proposals", headers, payload)
        await timed("precheck", 200, "GET", f"/proposals/{draft['id']}/precheck", headers)
        keyed = {**headers, "idempotency-key": str(uuid.uuid4())}
        first = await timed("submit", 201, "POST", f"/proposals/{draft['id']}/submit", keyed)
        again = await timed("submit_retry", 201, "POST", f"/proposals/{draft['id']}/submit", keyed)
        if first != again:
            raise RuntimeError(f"the retry's receipt differs: {first} != {again}")
    return {
        op: {
            "cpu_ms_median": round(statistics.median(values) * 1000, 2),
            "cpu_ms_mean": round(statistics.fmean(values) * 1000, 2),
            "wall_ms_median": round(statistics.median(wall[op]) * 1000, 2),
            "n": len(values),
        }
        for op, values in cpu.items()
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    database = f"jc_bench_profile_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(args.postgres_url)
    await admin.execute(f'CREATE DATABASE "{database}"')
    url = f"{args.postgres_url.rsplit('/', 1)[0]}/{database}".replace("postgresql://", "postgresql+asyncpg://", 1)
    # CPU time, not wall-clock: the waits for PostgreSQL are not the API's cost (and would fill the top).
    profile = cProfile.Profile(time.process_time) if args.profile else None
    profile_ops = frozenset(op for op in args.profile_ops.split(",") if op)
    try:
        await asyncio.to_thread(migrate, SERVICE, url)
        app = create_app(Settings(database_url=url))
        async with app.router.lifespan_context(app):
            results = await measure(app, args.flows, args.seed, profile, profile_ops)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
    if profile:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        profiled = sum(figures["n"] for op, figures in results.items() if not profile_ops or op in profile_ops)
        print(by_package(stats, profiled))
    return results


def by_package(stats: pstats.Stats, requests: int) -> str:
    """Own CPU time (tottime) per request grouped by where the code lives: which layer costs what."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        totals[_package_of(filename, name)] += tottime
    total = sum(totals.values())
    lines = [f"own CPU time by package, ms per profiled request (profiler overhead included; n={requests}):"]
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        lines.append(f"  {package:<28} {seconds * 1000 / max(requests, 1):7.3f}  {seconds / total:6.1%}")
    return "\n".join(lines)


def _package_of(filename: str, name: str) -> str:
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for prefix in ("/shared/", "/services/", "/bench/"):
        if prefix in path:
            rest = path.split(prefix, 1)[1]
            return prefix.strip("/") + "/" + rest.split("/", 1)[0].removesuffix(".py")
    if path.startswith("<sqlalchemy"):
        return "sqlalchemy"
    if filename == "~":  # C functions: attributed to their library where the name tells it
        for library in ("pydantic_core", "asyncpg", "sqlalchemy", "greenlet", "_socket", "select", "_hashlib", "_json"):
            if library in name:
                return f"{library} (C)"
        return "other C built-ins"
    return "stdlib " + Path(filename).stem.strip("<>").removeprefix("frozen ")


def run(coroutine: Coroutine[Any, Any, dict[str, Any]], loop: str) -> dict[str, Any]:
    """On uvloop by default, as uvicorn runs the API when uvloop is installed (uvicorn[standard])."""
    if loop == "uvloop":
        import uvloop

        return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile the requests and print the top functions")
    parser.add_argument(
        "--profile-ops",
        default="",
        help="with --profile: only these requests, comma-separated (draft,precheck,submit,submit_retry); default all",
    )
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime, ...)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--loop", choices=("uvloop", "asyncio"), default="uvloop", help="event loop (uvicorn's default is uvloop)"
    )
    args = parser.parse_args()
    results = run(main_async(args), args.loop)
    for op, figures in results.items():
        print(
            f"{op:<13} cpu median {figures['cpu_ms_median']:6.2f} ms  mean {figures['cpu_ms_mean']:6.2f} ms"
            f"  wall median {figures['wall_ms_median']:6.2f} ms  (n={figures['n']})"
        )


if __name__ == "__main__":
    main()
