"""A portal page measured on the full stack, for the page benchmarks (bench/selection_pages.py,
bench/dashboard_page.py): PostgreSQL and RabbitMQ, every service's api and worker as its own process
(bench/pipeline_bench.py's FullStack and start_stack) and the portal as its own. The benchmark's call is set up in
databases of its own (the set-up run, named by its suffix) and every measuring run works on fresh copies of them
(CREATE DATABASE ... TEMPLATE); `--keep` keeps the set-up databases, `--reuse NAME` measures them again."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import uptime
from deadline_surge import CpuMeter, Processes, free_port, run_async
from pipeline_bench import FullStack, start_stack

from services.registry import SERVICES

Fill = Callable[[FullStack], Awaitable[None]]
Measure = Callable[[FullStack, str, type[CpuMeter]], Awaitable[bool]]  # (the run, the portal's URL, the meter)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The full stack's options of a page benchmark."""
    parser.add_argument("--full-stack", action="store_true", help="PostgreSQL, RabbitMQ, one process per service")
    parser.add_argument("--keep", action="store_true", help="full stack: keep the set-up databases (their name)")
    parser.add_argument("--reuse", metavar="NAME", help="full stack: measure the set-up kept under NAME again")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("SURGE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument(
        "--rabbitmq-url", default=os.environ.get("SURGE_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    )


def measured_on_full_stack(args: argparse.Namespace, name: str, fill: Fill, measure: Measure) -> bool:
    """`fill` sets the call up on the set-up run's stack (unless `--reuse`); `measure` measures it on a stack of
    fresh copies, through the portal; whether the pages met their target. Everything else the run made is removed."""
    log_dir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    processes = Processes(log_dir)
    seed = FullStack(args.postgres_url, args.rabbitmq_url)
    if args.reuse:
        seed.suffix = args.reuse
        seed.created_databases = [seed.database(service) for service in SERVICES]
    run = FullStack(args.postgres_url, args.rabbitmq_url)
    CpuMeter.suffix = run.suffix
    met = False
    print("uptime before:", uptime(), flush=True)
    try:
        if not args.reuse:
            print(f"set-up run {seed.suffix}: {args.proposals} proposals; logs in {log_dir}", flush=True)
            run_async(seed.create_databases())
            start_stack(seed, processes)
            try:
                run_async(fill(seed))
            finally:
                processes.stop_all()
                seed.delete_topology()
        run_async(copy_databases(seed, run))
        start_stack(run, processes)
        portal_port = free_port()
        routes = {SERVICES[service].path_prefix: run.url(service) for service in SERVICES}
        env = {**run.stack_env(), "JOINTCALL_PORTAL_SERVICE_URLS": json.dumps(routes)}
        portal = [sys.executable, "-m", "services", "portal", "--host", "127.0.0.1", "--port", str(portal_port)]
        processes.spawn("portal", portal, env)
        processes.wait_ready("portal", f"http://127.0.0.1:{portal_port}/sign-in")
        print(f"stack up: {len(processes.running)} processes", flush=True)
        met = bool(run_async(measure(run, f"http://127.0.0.1:{portal_port}", CpuMeter)))
    finally:
        processes.stop_all()
        with contextlib.suppress(Exception):
            run.delete_topology()
        run_async(run.drop_databases())
        if args.keep or args.reuse:
            print(f"the set-up is kept: measure it again with --full-stack --reuse {seed.suffix}", flush=True)
        else:
            run_async(seed.drop_databases())
    print("uptime after:", uptime(), flush=True)
    return met


def cpu_per_request(meter: CpuMeter, labels: tuple[str, ...], wall: float, requests: int) -> str:
    """The CPU of `labels` (bench processes, PostgreSQL's sessions) per request over a metered stage."""
    per_request = {label: meter.cores.get(label, 0.0) * wall * 1000 / requests for label in labels}
    text = "CPU per request: " + ", ".join(f"{k} {v:.0f} ms" for k, v in per_request.items())
    return text + f"; machine busy {meter.machine_busy:.0%}"


async def copy_databases(seed: Any, run: Any) -> None:
    """The run's databases, each a copy of the set-up's (which no process may hold open meanwhile)."""
    import asyncpg  # type: ignore[import-untyped]

    admin = await asyncpg.connect(seed.postgres_url)
    try:
        for name in SERVICES:
            for attempt in range(50):  # the set-up's processes may take a moment to let go of their connections
                try:
                    await admin.execute(f'CREATE DATABASE "{run.database(name)}" TEMPLATE "{seed.database(name)}"')
                    break
                except asyncpg.ObjectInUseError:
                    if attempt == 49:
                        raise
                    await asyncio.sleep(0.2)
            run.created_databases.append(run.database(name))
    finally:
        await admin.close()


async def one_value(dsn: str, query: str) -> Any:
    """The one value a query finds in a run's database (the benchmark's call, say)."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()
