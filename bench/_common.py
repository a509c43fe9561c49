"""What several benchmarks share: a finished demo's database copied aside, the cProfile report, timed GETs with
the process's CPU per request, percentiles, the load, and a published call with submitted proposals on the
embedded app."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.test_thin_slice_embedded import submit_when_known, until
from tests.helpers import bearer, live_call_body, proposal_body

AGENCY = bearer("agency")

CPU: dict[str, float] = {}  # figure -> this process's CPU ms per request in its last `timed` (all threads)


def demo_database_args(
    description: str | None, database: str, option: str, default: int
) -> tuple[argparse.Namespace, Path, cProfile.Profile | None]:
    """The command line of a benchmark on a finished demo's `database` file (its --data-dir, `option`, --profile,
    --top): the arguments, the database file (or the usage error) and the CPU-time profile asked for."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path, help="the --data-dir of a finished `jointcall demo`")
    parser.add_argument(option, type=int, default=default)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    source: Path = args.data_dir / database
    if not source.exists():
        parser.error(f"no {source}: run `jointcall demo --data-dir {args.data_dir}` first")
    return args, source, cProfile.Profile(time.process_time) if args.profile else None


def requests_on_a_copy(
    description: str | None,
    database: str,
    default_concurrency: int,
    run: Callable[[Path, int, cProfile.Profile | None], Awaitable[None]],
) -> int:
    """A request benchmark's main: `run(folder, concurrency, profile)` on a copy of a finished demo's `database`,
    then the profile asked for."""
    args, source, profile = demo_database_args(description, database, "--concurrency", default_concurrency)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        copy_database(source, Path(tmp))
        asyncio.run(run(Path(tmp), args.concurrency, profile))
    if profile is not None:
        print_profile(profile, args.top)
    return 0


def copy_database(source: Path, folder: Path) -> None:
    """Copy the SQLite file `source` with its -wal and -shm files (those there) into `folder`."""
    for suffix in ("", "-wal", "-shm"):
        if (source.parent / (source.name + suffix)).exists():
            shutil.copy(source.parent / (source.name + suffix), folder / (source.name + suffix))


def print_profile(profile: Any, top: int) -> None:
    """The `top` functions by own time, then those of services/ and shared/ by cumulative time."""
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(r"services/|shared/", top)
    print(out.getvalue())


async def timed(client: httpx.AsyncClient, path: str, rounds: int, status: int = 200, name: str = "") -> list[float]:
    """GET `path` `rounds` times, each answering `status`: the milliseconds of each; CPU[name or path] the CPU."""
    times = []
    cpu = time.process_time()
    for _ in range(rounds):
        start = time.perf_counter()
        answer = await client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == status, answer.text[:500]
    CPU[name or path] = (time.process_time() - cpu) * 1000 / rounds
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


async def call_with_proposals(
    api: httpx.AsyncClient, code: str, deadline: timedelta, proposals: int, prefix: str
) -> tuple[dict[str, Any], list[str]]:
    """A call published `deadline` before it closes, `proposals` proposals submitted to it (acronyms
    prefix000...) and regional eligibility checking them: the call and the proposals' ids."""
    body = live_call_body(code, deadline=deadline)
    call: dict[str, Any] = (await api.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    await api.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
    ids = [
        (await submit_when_known(api, call["id"], proposal_body(acronym=f"{prefix}{n:03d}")))["proposal_id"]
        for n in range(proposals)
    ]
    await until(api, f"/regional-eligibility/proposals/{ids[-1]}", lambda b: b["status"] == "checking", within=60)
    return call, ids
