"""The pipeline after the deadline, on the full stack: a whole joint call through the public APIs (issue 21).

Run (PostgreSQL and RabbitMQ on localhost):

    .venv/bin/python bench/pipeline_bench.py                  # 5,000 proposals (the issue's scale)
    .venv/bin/python bench/pipeline_bench.py --proposals 500  # a quick run

What it does, in one run:

1. Fresh, uniquely named databases (one per service), a unique exchange and queue prefix; every service's
   `jointcall api` and `jointcall worker` as its own process (bench/deadline_surge.py's Infrastructure and
   Processes, extended to the whole stack).
2. The demo's driver (services/demo: its phase functions, in the order `run_joint_call` runs them) on the real
   clock: the agency publishes the Alpine call, the consortia draft, pre-check and submit, the deadline passes
   (the wait for it is not counted), then the regions' back offices close their manual checks, experts are
   registered, declare conflicts, are assigned and score, the agency sets the consensus, completes the ranking,
   decides the common pot, the regions confirm and the results are published. Each step is timed (wall,
   throughput, CPU per process). The panel is the demo's: 3 experts per proposal, at most 12 proposals each.
3. Meanwhile a sampler (its own thread) reads every queue's depth (passive queue_declare) and every service's
   oldest unpublished outbox row, twice a second: consumer lag and outbox age at their peaks.
4. After the results: once every outbox and queue is drained, the exactly-once check: per consumer (inbox)
   the events published for it (every service's outbox, by routing key) against the inbox rows; no unpublished
   outbox rows; no dead letters; per proposal one eligibility case decided, announced as often as its decision
   version says; one ranking line per submitted proposal; one assessment per assigned pair.
5. A report, the targets as [ok]/[MISSED], JSON in bench/results/pipeline_bench-<timestamp>.json; everything
   the run created (processes, databases, exchange and queues) is removed. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
import httpx  # noqa: E402
import pika  # noqa: E402
from deadline_surge import (  # noqa: E402
    CpuMeter,
    Infrastructure,
    Processes,
    _process_table,
    clean_up,
    code_version,
    free_port,
    report_failure,
    run_async,
    say,
    write_results,
)

from services.call_definition.examples import alpine_call  # noqa: E402
from services.demo import decisions, eligibility, evaluation, submission  # noqa: E402
from services.demo.api import Tokens  # noqa: E402
from services.demo.consolidate import consolidate  # noqa: E402
from services.demo.consortia import generate_consortia  # noqa: E402
from services.demo.context import Run  # noqa: E402
from services.demo.progress import SilentProgress  # noqa: E402
from services.demo.results import Results  # noqa: E402
from services.demo.timeline import RealTimeline  # noqa: E402
from services.demo.transport import RoutingTransport  # noqa: E402
from services.registry import SERVICES  # noqa: E402
from shared.messaging.bus import Subscription, topic_matches  # noqa: E402
from shared.service import open_runtime  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_PIPELINE_S = 300.0
TARGET_AUTOMATIC_S = 60.0
TARGET_ASSIGNMENT_S = 10.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=5000, help="consortia that apply (default 5000)")
    parser.add_argument("--concurrency", type=int, default=16, help="the demo's requests in flight (default 16)")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--window-base", type=float, default=30.0, help="deadline: seconds after publishing ...")
    parser.add_argument("--window-per-proposal", type=float, default=0.2, help="... plus this per proposal")
    parser.add_argument("--wait", type=float, default=900.0, help="seconds the driver waits for the bus")
    parser.add_argument(
        "--db-pool-size",
        type=int,
        default=4,
        help="PostgreSQL connections per process (12 processes; the server's max_connections is shared)",
    )
    parser.add_argument("--sample-interval", type=float, default=0.5, help="seconds between lag samples")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("SURGE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument(
        "--rabbitmq-url", default=os.environ.get("SURGE_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs (their folder is printed)")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file (default bench/results/...)")
    return parser.parse_args(argv)


# --- the whole stack -------------------------------------------------------------------------------


def subscriptions() -> dict[str, list[Subscription]]:
    """Each service's subscriptions (consumer = queue name, as idempotent_subscription keys its inbox)."""
    found: dict[str, list[Subscription]] = {}
    for name, definition in SERVICES.items():
        settings = definition.settings_class(database_url="sqlite+aiosqlite:///:memory:")
        found[name] = list(definition.subscriptions(open_runtime(definition, settings)))
    return found


@dataclass
class FullStack(Infrastructure):
    """deadline_surge's Infrastructure, for every service of the registry."""

    ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in SERVICES})
    services: ClassVar[tuple[str, ...]] = tuple(SERVICES)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def queues(self) -> list[str]:
        """Every queue of the run: each subscription's, its .retry and its .dead."""
        names = [f"{self.queue_prefix}.{s.queue}" for subs in subscriptions().values() for s in subs]
        return [f"{name}{suffix}" for name in names for suffix in ("", ".retry", ".dead")]

    pool_size: int = 4

    def stack_env(self) -> dict[str, str]:
        pool = {"JOINTCALL_DB_POOL_SIZE": str(self.pool_size), "JOINTCALL_DB_MAX_OVERFLOW": "0"}  # the env may override
        return {**pool, **super().stack_env(), "JOINTCALL_S3_STRATEGY_CALL_DEFINITION_URL": self.url("call_definition")}

    async def create_databases(self) -> None:
        await self.create_empty_databases(self.services)


def start_stack(infra: FullStack, processes: Processes) -> None:
    env = infra.stack_env()
    jointcall = [sys.executable, "-m", "services"]
    for name in SERVICES:
        processes.run([*jointcall, "migrate", name], env)
    for name in SERVICES:
        argv = [*jointcall, "api", name, "--host", "127.0.0.1", "--port", str(infra.ports[name])]
        processes.spawn(f"api:{name}", argv, env)
        processes.spawn(f"worker:{name}", [*jointcall, "worker", name], env)
    for name in SERVICES:
        processes.wait_ready(f"api:{name}", f"{infra.url(name)}/readyz")


# --- consumer lag and outbox age, sampled ------------------------------------------------------------


@dataclass
class Peak:
    value: float = 0.0
    at: float = 0.0  # time.time() of the peak


@dataclass
class Sampler:
    """Queue depths (passive queue_declare) and the oldest unpublished outbox row of every service."""

    infra: FullStack
    interval: float
    queue_peaks: dict[str, Peak] = field(default_factory=dict)
    backlog_peaks: dict[str, Peak] = field(default_factory=dict)  # unpublished outbox rows
    age_peaks: dict[str, Peak] = field(default_factory=dict)  # seconds, oldest unpublished row
    total_lag: Peak = field(default_factory=Peak)
    samples: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._loop()), name="sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    @staticmethod
    def _raise(peaks: dict[str, Peak], key: str, value: float, now: float) -> None:
        peak = peaks.setdefault(key, Peak())
        if value > peak.value:
            peak.value, peak.at = value, now

    async def _loop(self) -> None:
        queues = self.infra.queues()
        connections = {name: await asyncpg.connect(self.infra.dsn(name)) for name in SERVICES}
        broker = pika.BlockingConnection(pika.URLParameters(self.infra.rabbitmq_url))
        channel = broker.channel()
        try:
            while not self._stop.is_set():
                now = time.time()
                lag = 0
                for queue in queues:
                    try:
                        depth = int(channel.queue_declare(queue, passive=True).method.message_count)
                    except pika.exceptions.ChannelClosedByBroker:  # not declared yet
                        channel = broker.channel()
                        continue
                    self._raise(self.queue_peaks, queue.removeprefix(f"{self.infra.queue_prefix}."), depth, now)
                    lag += depth if not queue.endswith((".retry", ".dead")) else 0
                if lag > self.total_lag.value:
                    self.total_lag = Peak(lag, now)
                for name, connection in connections.items():
                    try:
                        row = await connection.fetchrow(
                            "SELECT count(*) AS n, extract(epoch FROM clock_timestamp() - min(created_at)) AS age"
                            " FROM outbox WHERE published_at IS NULL"
                        )
                    except asyncpg.PostgresError as exc:
                        self.errors[type(exc).__name__] += 1
                        continue
                    if row is not None:
                        self._raise(self.backlog_peaks, name, float(row["n"]), now)
                        self._raise(self.age_peaks, name, float(row["age"] or 0.0), now)
                self.samples += 1
                await asyncio.sleep(self.interval)
        finally:
            for connection in connections.values():
                await connection.close()
            with contextlib.suppress(Exception):
                broker.close()


# --- the call, step by step ---------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    started: float  # time.time()
    wall_s: float
    units: int
    unit: str
    cpu: dict[str, Any]

    def as_dict(self, deadline: float) -> dict[str, Any]:
        return {
            "step": self.label,
            "from_deadline_s": round(self.started - deadline, 2),
            "wall_s": round(self.wall_s, 3),
            "units": self.units,
            "unit": self.unit,
            "per_s": round(self.units / self.wall_s, 1) if self.wall_s > 0 else None,
            "cpu_s_by_process": {k: round(v * self.wall_s, 2) for k, v in self.cpu["cores_by_process"].items()},
            "machine_cpu_busy": self.cpu["machine_cpu_busy"],
        }


@dataclass
class Steps:
    done: list[Step] = field(default_factory=list)

    async def time(
        self, label: str, unit: str, action: Callable[[], Awaitable[Any]], units: Callable[[Any], int]
    ) -> Any:
        started, clock = time.time(), time.perf_counter()
        with CpuMeter() as meter:
            result = await action()
        wall = time.perf_counter() - clock
        self.done.append(Step(label, started, wall, units(result), unit, meter.as_dict()))
        say(f"  {label:<28} {units(result):>6} {unit:<12} {wall:8.2f} s")
        return result


@dataclass
class Outcome:
    results: Results
    run: Run
    deadline: datetime
    deadline_passed_at: float  # time.time() when the driver saw the deadline pass
    published_at: float  # time.time() when the published results were read back
    evaluable: list[str]
    pairs: int
    steps: Steps
    processes_at_deadline: dict[int, tuple[int, int, str]]  # the /proc snapshot, for the CPU after it


@contextlib.asynccontextmanager
async def demo_client(urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    transport = RoutingTransport.for_services(urls)
    async with httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=120) as client:
        yield client


async def whole_call(args: argparse.Namespace, urls: dict[str, str], code: str) -> Outcome:
    """services/demo/flow.py's run_joint_call, its steps one by one so that each is timed."""
    steps = Steps()
    progress = SilentProgress()  # each step is timed and printed by `steps`
    timeline = RealTimeline(base=_seconds(args.window_base), per_proposal=_seconds(args.window_per_proposal))
    async with demo_client(urls) as client:
        run = Run(client, Tokens(), progress, args.seed, args.concurrency, args.wait)
        run.consortia = generate_consortia(alpine_call(), args.proposals, args.seed)
        deadline = await submission.define_call(run, timeline, args.proposals, code)
        say(f"call {code}: {len(run.config['regions'])} regions, deadline {deadline:%H:%M:%S} UTC")
        say("before the deadline:")
        drafted = await steps.time("drafts and pre-checks", "drafts", lambda: submission.draft_all(run), len)
        await steps.time(
            "submissions (sequential)",
            "proposals",
            lambda: submission.submit_all(run, drafted),
            lambda _: len(run.submitted),
        )
        wait = (deadline - datetime.now(UTC)).total_seconds()
        say(f"waiting {max(wait, 0):.0f} s for the deadline (not counted)")
        if wait < 0:
            say("WARNING: the submissions ran past the deadline: raise --window-per-proposal")
        await timeline.pass_deadline(deadline)
        passed, at_deadline = time.time(), _process_table()
        say("after the deadline:")
        await steps.time(
            "late submissions refused",
            "refusals",
            lambda: submission.submit_late(run, drafted),
            lambda _: run.tally.late_refused,
        )
        submitted = len(run.submitted)
        await steps.time(
            "eligibility checks opened", "proposals", lambda: eligibility.wait_for_checks(run), lambda _: submitted
        )
        await steps.time(
            "regional manual checks",
            "checks",
            lambda: eligibility.regions_decide(run),
            lambda _: run.tally.manual_checks,
        )
        entries = await steps.time(
            "eligibility decided", "proposals", lambda: eligibility.wait_for_evaluation(run), lambda _: submitted
        )
        reasons = await steps.time(
            "ineligibility reasons",
            "proposals",
            lambda: eligibility.failed_rules(run, entries),
            lambda found: sum(found.values()),
        )
        acronyms = run.acronym_of()
        evaluable = [acronyms[e["proposal_id"]] for e in entries if e["eligibility"] == "eligible"]
        panel = await steps.time(
            "experts registered",
            "experts",
            lambda: evaluation.register_panel(run, len(evaluable)),
            lambda found: len(found.experts),
        )
        await steps.time(
            "conflicts declared",
            "conflicts",
            lambda: evaluation.declare_conflicts(run, panel, evaluable),
            lambda _: run.tally.conflicts_declared,
        )
        pairs = await steps.time("assignment", "pairs", lambda: evaluation.assign(run), int)
        run.tally.assessments = pairs
        await steps.time(
            "assessments", "assessments", lambda: evaluation.assess_all(run, panel, pairs), lambda _: pairs
        )
        await steps.time(
            "consensus", "proposals", lambda: evaluation.settle_consensus(run, evaluable), lambda _: len(evaluable)
        )
        ranking = await steps.time("ranking completed", "lines", lambda: decisions.complete_ranking(run), len)
        funding = await steps.time(
            "common pot decided", "decisions", lambda: decisions.decide_funding(run), lambda _: 1
        )
        await steps.time(
            "regions confirm",
            "regions",
            lambda: decisions.regions_confirm(run, funding),
            lambda _: len(run.tally.confirmed_by),
        )
        published = await steps.time(
            "results published", "results", lambda: decisions.publish_results(run), lambda _: 1
        )
        done = time.time()
    results = consolidate(
        call=run.call,
        seed=args.seed,
        consortia=args.proposals,
        tally=run.tally,
        eligibility_reasons=reasons,
        ranking=ranking,
        results=published,
    )
    return Outcome(results, run, deadline, passed, done, evaluable, pairs, steps, at_deadline)


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


# --- after the run: drained, then exactly once -------------------------------------------------------


async def wait_drained(infra: FullStack, within: float = 180.0) -> dict[str, Any]:
    """Until no service has an unpublished outbox row and every consumer queue is empty (twice in a row)."""
    started = time.monotonic()
    calm = 0
    queues = [q for q in infra.queues() if not q.endswith((".retry", ".dead"))]
    while time.monotonic() - started < within:
        unpublished = 0
        for name in SERVICES:
            connection = await asyncpg.connect(infra.dsn(name))
            try:
                unpublished += int(await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            finally:
                await connection.close()
        depth = sum(queue_depths(infra, queues).values())
        calm = calm + 1 if unpublished == 0 and depth == 0 else 0
        if calm >= 3:
            return {"drained": True, "after_s": round(time.monotonic() - started, 1)}
        await asyncio.sleep(1.0)
    return {"drained": False, "after_s": round(time.monotonic() - started, 1)}


def queue_depths(infra: FullStack, queues: list[str]) -> dict[str, int]:
    depths: dict[str, int] = {}
    connection = pika.BlockingConnection(pika.URLParameters(infra.rabbitmq_url))
    try:
        channel = connection.channel()
        for queue in queues:
            try:
                depths[queue] = int(channel.queue_declare(queue, passive=True).method.message_count)
            except pika.exceptions.ChannelClosedByBroker:
                depths[queue] = -1  # missing
                channel = connection.channel()
    finally:
        connection.close()
    return depths


async def exactly_once(infra: FullStack, outcome: Outcome) -> dict[str, Any]:
    published: dict[str, str] = {}  # event id -> routing key, every service's outbox
    unpublished: dict[str, int] = {}
    inboxes: dict[str, dict[str, list[str]]] = {}  # service -> consumer -> message ids
    decided_events: Counter[str] = Counter()  # proposal id -> eligibility.decided events
    cases: dict[str, tuple[str, int]] = {}
    tables: dict[str, int] = {}
    for name in SERVICES:
        connection = await asyncpg.connect(infra.dsn(name))
        try:
            for row in await connection.fetch("SELECT event_id, event_type, subject, published_at FROM outbox"):
                if row["published_at"] is None:
                    unpublished[name] = unpublished.get(name, 0) + 1
                    continue
                published[row["event_id"]] = row["event_type"].rsplit(".", 1)[0]
                if row["event_type"].startswith("eligibility.decided."):
                    decided_events[row["subject"]] += 1
            consumers: dict[str, list[str]] = {}
            for row in await connection.fetch("SELECT consumer, message_id FROM inbox"):
                consumers.setdefault(row["consumer"], []).append(row["message_id"])
            inboxes[name] = consumers
            if name == "regional_eligibility":
                for row in await connection.fetch("SELECT proposal_id, status, decision_version FROM proposal_cases"):
                    cases[row["proposal_id"]] = (row["status"], int(row["decision_version"]))
            if name == "joint_evaluation":
                for table in ("assignments", "assessments", "evaluation_entries"):
                    tables[table] = int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
        finally:
            await connection.close()
    per_consumer: dict[str, dict[str, int]] = {}
    for service, subs in subscriptions().items():
        for sub in subs:
            expected = {eid for eid, key in published.items() if any(topic_matches(p, key) for p in sub.routing_keys)}
            rows = inboxes.get(service, {}).get(sub.queue, [])
            got = set(rows)
            per_consumer[sub.queue] = {
                "events_published_for_it": len(expected),
                "inbox_rows": len(rows),
                "missing": len(expected - got),
                "unexpected": len(got - expected),
            }
    dead = {q: d for q, d in queue_depths(infra, infra.queues()).items() if q.endswith((".dead", ".retry")) and d}
    submitted = {outcome.run.proposal_ids[a] for a in outcome.run.submitted}
    acronym = outcome.run.acronym_of()
    not_decided = [p for p in submitted if cases.get(p, ("missing", 0))[0] != "decided"]
    announced_wrong = [p for p in submitted if p in cases and decided_events[p] != max(cases[p][1], 1)]
    lines = Counter(line["acronym"] for line in outcome.results["ranking"])
    wanted = {acronym[p] for p in submitted}
    ranking_missing = sorted(wanted - set(lines))
    ranking_twice = sorted(a for a, n in lines.items() if n > 1)
    ranking_unknown = sorted(set(lines) - wanted)
    return {
        "consumers": per_consumer,
        "events_published": len(published),
        "unpublished_outbox_rows": unpublished,
        "dead_or_retrying_letters": dead,
        "proposals_submitted": len(submitted),
        "eligibility_cases_not_decided": len(not_decided),
        "eligibility_announcements_not_matching_decision_version": len(announced_wrong),
        "eligibility_announcements_beyond_one": sum(1 for p in submitted if decided_events[p] > 1),
        "ranking_lines": sum(lines.values()),
        "ranking_missing": len(ranking_missing),
        "ranking_twice": len(ranking_twice),
        "ranking_unknown": len(ranking_unknown),
        "joint_evaluation_rows": tables,
        "assignment_pairs_reported": outcome.pairs,
        "examples": {"not_decided": not_decided[:5], "ranking_missing": ranking_missing[:5]},
    }


def exactly_once_problems(check: dict[str, Any]) -> int:
    consumers = sum(c["missing"] + c["unexpected"] for c in check["consumers"].values())
    rows = check["joint_evaluation_rows"]
    pairs = check["assignment_pairs_reported"]
    return int(
        consumers
        + sum(check["unpublished_outbox_rows"].values())
        + sum(check["dead_or_retrying_letters"].values())
        + check["eligibility_cases_not_decided"]
        + check["eligibility_announcements_not_matching_decision_version"]
        + check["ranking_missing"]
        + check["ranking_twice"]
        + check["ranking_unknown"]
        + abs(rows.get("assignments", 0) - pairs)
        + abs(rows.get("assessments", 0) - pairs)
    )


async def automatic_eligibility(infra: FullStack, outcome: Outcome) -> dict[str, Any]:
    """Proposals none of whose checks needed a human: when their case was decided, after the deadline."""
    connection = await asyncpg.connect(infra.dsn("regional_eligibility"))
    try:
        rows = await connection.fetch(
            "SELECT c.proposal_id, c.status, c.decided_at FROM proposal_cases c WHERE NOT EXISTS ("
            " SELECT 1 FROM partner_checks k WHERE k.proposal_id = c.proposal_id AND k.current"
            " AND k.automatic_verdict = 'needs_human')"
        )
    finally:
        await connection.close()
    submitted = {outcome.run.proposal_ids[a] for a in outcome.run.submitted}
    rows = [r for r in rows if r["proposal_id"] in submitted]
    delays = sorted((r["decided_at"] - outcome.deadline).total_seconds() for r in rows if r["decided_at"] is not None)
    return {
        "proposals": len(rows),
        "undecided": sum(1 for r in rows if r["decided_at"] is None),
        "p50_s": round(delays[len(delays) // 2], 2) if delays else None,
        "last_s": round(delays[-1], 2) if delays else None,
    }


# --- the run ----------------------------------------------------------------------------------------------


def cpu_seconds(before: dict[int, tuple[int, int, str]], after: dict[int, tuple[int, int, str]]) -> dict[str, float]:
    """CPU seconds of each process the bench started (with its children), between two /proc snapshots."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid, (total, _parent, _command) in after.items():
        ancestor, depth = pid, 0
        while ancestor in after and depth < 8 and ancestor not in CpuMeter.started:
            ancestor, depth = after[ancestor][1], depth + 1
        if ancestor in CpuMeter.started:
            name = CpuMeter.started[ancestor]
            used[name] = used.get(name, 0.0) + (total - before.get(pid, (0, 0, ""))[0]) / ticks
    return {name: round(value, 1) for name, value in sorted(used.items(), key=lambda item: -item[1])}


def evaluate(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    targets: dict[str, dict[str, Any]] = {}
    pipeline = results.get("deadline_to_results_s")
    if pipeline is not None:
        targets[f"deadline to published results < {TARGET_PIPELINE_S:.0f} s"] = {
            "value": pipeline,
            "met": pipeline < TARGET_PIPELINE_S,
        }
    automatic = results.get("automatic_eligibility")
    if automatic:
        last = automatic["last_s"] if automatic["last_s"] is not None else float("inf")
        targets[f"automatic eligibility decided within {TARGET_AUTOMATIC_S:.0f} s of the deadline"] = {
            "value": {"last_s": automatic["last_s"], "undecided": automatic["undecided"]},
            "met": automatic["undecided"] == 0 and last < TARGET_AUTOMATIC_S,
        }
    assignment = next((s for s in results.get("steps", []) if s["step"] == "assignment"), None)
    if assignment:
        experts = next((s["units"] for s in results["steps"] if s["step"] == "experts registered"), 0)
        scale = f"{results['config']['proposals']} proposals x {experts} experts x 3"
        targets[f"assignment < {TARGET_ASSIGNMENT_S:.0f} s ({scale})"] = {
            "value": assignment["wall_s"],
            "met": assignment["wall_s"] < TARGET_ASSIGNMENT_S,
        }
    check = results.get("exactly_once")
    if check:
        problems = exactly_once_problems(check)
        targets["every event applied exactly once, counts per proposal right"] = {
            "value": problems,
            "met": problems == 0,
        }
    return targets


def report(results: dict[str, Any]) -> None:
    say("")
    say(f"=== pipeline bench: {results['config']['proposals']} proposals, run {results['run']}")
    say(f"{'step':<28} {'from deadline':>13} {'wall s':>8} {'units':>7} {'per s':>8}  top CPU (s)")
    for step in results.get("steps", []):
        top = ", ".join(f"{k} {v}" for k, v in list(step["cpu_s_by_process"].items())[:3])
        per_s = step["per_s"] if step["per_s"] is not None else "-"
        say(
            f"{step['step']:<28} {step['from_deadline_s']:>13} {step['wall_s']:>8} {step['units']:>7} {per_s:>8}  {top}"
        )
    say(f"deadline -> published results: {results.get('deadline_to_results_s')} s")
    say(f"automatic eligibility: {results.get('automatic_eligibility')}")
    lag = results.get("lag", {})
    say(f"peak consumer lag (all queues): {lag.get('total_peak')}")
    for queue, peak in lag.get("queues", {}).items():
        if peak["depth"]:
            say(f"  {queue:<50} peak {peak['depth']:>6} at {peak['from_deadline_s']} s ({peak['step']})")
    for name, peak in lag.get("outbox", {}).items():
        say(
            f"  outbox {name:<26} peak {peak['unpublished']:>6} unpublished, oldest {peak['oldest_s']} s"
            f" ({peak['step']})"
        )
    say("CPU seconds, deadline -> results, per process:")
    for name, seconds in results.get("cpu_s_after_deadline", {}).items():
        say(f"  {name:<34} {seconds}")
    check = results.get("exactly_once", {})
    if check:
        say("exactly once:")
        for consumer, counts in check["consumers"].items():
            say(f"  {consumer:<40} {json.dumps(counts)}")
        say("  " + json.dumps({k: v for k, v in check.items() if k not in ("consumers", "examples")}))
    say("--- targets")
    for name, target in results.get("targets", {}).items():
        say(f"  [{'ok' if target['met'] else 'MISSED'}] {name}: {target['value']}")


def step_at(steps: list[dict[str, Any]], offset: float) -> str:
    current = "before the deadline"
    for step in steps:
        if step["from_deadline_s"] <= offset:
            current = step["step"]
    return current


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    infra = FullStack(args.postgres_url, args.rabbitmq_url, pool_size=args.db_pool_size)
    log_dir = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    processes = Processes(log_dir)
    CpuMeter.suffix = infra.suffix
    results: dict[str, Any] = {
        "run": infra.suffix,
        "started_at": started.isoformat(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "code": code_version(),
    }
    failed = False
    sampler = Sampler(infra, args.sample_interval)
    say(f"pipeline bench: run {infra.suffix}, {args.proposals} proposals, logs in {log_dir}")
    try:
        run_async(infra.create_databases())
        start_stack(infra, processes)
        say(f"stack up: {len(processes.running)} processes")
        sampler.start()
        code = f"ALP-PIPE-{infra.suffix}"
        outcome: Outcome = run_async(whole_call(args, {n: infra.url(n) for n in SERVICES}, code))
        after = _process_table()
        sampler.stop()
        deadline = outcome.deadline.timestamp()
        steps = [step.as_dict(deadline) for step in outcome.steps.done]
        results["steps"] = steps
        results["deadline"] = outcome.deadline.isoformat()
        results["deadline_to_results_s"] = round(outcome.published_at - deadline, 1)
        results["cpu_s_after_deadline"] = cpu_seconds(outcome.processes_at_deadline, after)
        results["lag"] = {
            "samples": sampler.samples,
            "total_peak": {
                "depth": sampler.total_lag.value,
                "from_deadline_s": round(sampler.total_lag.at - deadline, 1),
                "step": step_at(steps, sampler.total_lag.at - deadline),
            },
            "queues": {
                q: {
                    "depth": p.value,
                    "from_deadline_s": round(p.at - deadline, 1),
                    "step": step_at(steps, p.at - deadline),
                }
                for q, p in sorted(sampler.queue_peaks.items())
            },
            "outbox": {
                name: {
                    "unpublished": sampler.backlog_peaks.get(name, Peak()).value,
                    "oldest_s": round(sampler.age_peaks.get(name, Peak()).value, 2),
                    "step": step_at(steps, sampler.age_peaks.get(name, Peak()).at - deadline),
                }
                for name in SERVICES
            },
            "sampler_errors": dict(sampler.errors),
        }
        results["drain"] = run_async(wait_drained(infra))
        results["automatic_eligibility"] = run_async(automatic_eligibility(infra, outcome))
        results["exactly_once"] = run_async(exactly_once(infra, outcome))
        results["demo"] = {k: v for k, v in outcome.results.items() if k not in ("ranking", "regions")}
        results["targets"] = evaluate(results)
    except BaseException as exc:
        failed = True
        report_failure(results, exc, processes)
    finally:
        sampler.stop()
        clean_up(processes, infra, log_dir, keep_logs=args.keep_logs or failed)
    results["finished_at"] = datetime.now(UTC).isoformat()
    output = args.output or RESULTS / f"pipeline_bench-{started:%Y%m%dT%H%M%SZ}.json"
    return write_results(results, output, None if failed else report)


if __name__ == "__main__":
    sys.exit(main())
