"""Deadline surge: a load benchmark of proposal_intake on the full stack, beside a bare baseline.

Run (PostgreSQL and RabbitMQ on localhost; about 4 minutes with the defaults on two cores):

    .venv/bin/python bench/deadline_surge.py [--clients 64] [--proposals 2000] [--flows 1000] [--preload 10000]

What it does, in one run:

1. Fresh, uniquely named databases (call_definition, proposal_intake, baseline), a unique exchange and
   queue prefix, and a bench queue bound to `proposal.submitted` on that exchange (so that every
   submission's event can be counted afterwards).
2. BASELINE: bench/surge_baseline_app.py under uvicorn with 2 workers (a separate process): one endpoint
   that validates the same payload with the same pydantic model and inserts it plus one outbox row with
   asyncpg in one transaction; hit by the same load generator at the same concurrency. Measured before
   the stack starts and again after it stopped (to show how much the shared machine drifted).
3. The full stack, each as its own process: call_definition api + worker, `jointcall api proposal_intake
   --workers 2` + `jointcall worker proposal_intake`. The Alpine example call, re-dated to be open, is
   created and published through call_definition's API; proposal_intake learns it from the event.
4. Phase "empty" (the call holds only the warm-up proposals), then PRELOAD (rows inserted directly into
   proposal_intake's database, as if N consortia had already submitted), then phase "preloaded".
   Each phase has two stages, each with `--clients` concurrent consortia (asyncio + httpx, one client and
   keep-alive connection each, balanced over the API's uvicorn workers before the clock starts):
   - flow: every consortium creates its draft (~10 KB: 5 partners from 3 regions, a long abstract, twelve
     cost categories), GETs its pre-check, then submits with an Idempotency-Key: whole-flow throughput;
   - surge: the consortia first prepare drafts and pre-checks, then all submit at once ("the deadline"):
     submit throughput and latency, the figure compared with the baseline (one request per proposal too).
   A fraction (`--retry-fraction`) of the consortia submit again with the same key, as if the first
   response had been lost, and check that the receipt is identical.
   After the empty call's surge, the OPEN LOOP (`--open-loop-rates 0.3,0.6`): submissions arrive at fixed
   rates, as fractions of the first baseline run's maximum, for `--open-loop-seconds` each (Poisson arrivals
   by default, `--arrivals constant`), each timed from its scheduled instant, so a request that had to wait
   counts its wait (no coordinated omission); the generator's own lateness is reported beside. The latency
   targets are these open-loop p99s: closed-loop latency is clients / throughput, not a server property.
5. Verification (the bench reads the databases directly): every 201 receipt is in proposal_versions with
   its hash, one version per proposal (retries made none), one outbox row per submission and all of them
   published, and exactly one `proposal.submitted` message per (proposal, version) on the bench queue.
6. A report on stdout and as JSON in bench/results/deadline_surge-<timestamp>.json, with where the CPU
   went in every stage (generator, API workers, PostgreSQL, other processes); then everything the run
   created (processes, databases, exchange and queues) is removed. Exit status 1 if a target is missed.

bench/profile_intake.py complements it: CPU milliseconds per request of the same three calls, in one
process, which a busy shared machine disturbs much less than throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import pika  # noqa: E402

from services.call_definition.examples import alpine_call, redated  # noqa: E402
from shared.canonical import sha256_hex  # noqa: E402
from shared.http.auth import issue_token  # noqa: E402
from shared.proposals import ProposalDraft  # noqa: E402
from shared.service import ServiceDefinition, open_runtime  # noqa: E402
from shared.settings import DEV_JWT_SECRET  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from surge_baseline_app import BASELINE_SCHEMA  # noqa: E402

from tests.integration.processes import free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results"
STACK_SERVICES = ("call_definition", "proposal_intake")
SUBMITTED_KEY = "proposal.submitted"
SUBMITTED_TYPE = "proposal.submitted.v1"

TARGET_RATIO = 0.7
# Open loop: submit p99 at a fixed arrival rate, as a fraction of the baseline's closed-loop maximum.
OPEN_LOOP_TARGETS_MS = {0.3: 100.0, 0.6: 250.0}
TARGET_FLATNESS = 0.10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64, help="concurrent consortia (default 64)")
    parser.add_argument("--proposals", type=int, default=2000, help="surge submissions per phase (default 2000)")
    parser.add_argument("--flows", type=int, default=1000, help="whole flows (draft, pre-check, submit) per phase")
    parser.add_argument("--preload", type=int, default=10_000, help="proposals put in the call between the phases")
    parser.add_argument("--baseline-requests", type=int, default=None, help="default: as many as --proposals")
    parser.add_argument("--warmup", type=int, default=150, help="whole flows before measuring (verified too)")
    parser.add_argument("--retry-fraction", type=float, default=0.1, help="consortia that retry their submit")
    parser.add_argument("--api-workers", type=int, default=2, help="uvicorn workers of both APIs (default 2)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("SURGE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument(
        "--rabbitmq-url", default=os.environ.get("SURGE_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    )
    parser.add_argument("--drain-timeout", type=float, default=180.0, help="seconds to wait for the outbox relay")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs (their folder is printed)")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file (default bench/results/...)")
    parser.add_argument(
        "--open-loop-rates",
        default="0.3,0.6",
        help="open loop: arrival rates as fractions of the baseline's maximum, comma-separated ('' for none)",
    )
    parser.add_argument("--open-loop-seconds", type=float, default=20.0, help="open loop: seconds per rate")
    parser.add_argument(
        "--arrivals", choices=("poisson", "constant"), default="poisson", help="open loop: the arrival schedule"
    )
    parser.add_argument(
        "--open-loop-connections", type=int, default=128, help="open loop: keep-alive connections of the generator"
    )
    return parser.parse_args(argv)


# --- the proposals ---------------------------------------------------------------------------------

COST_SHARES = {
    "personnel": Decimal("0.48"),
    "equipment": Decimal("0.10"),
    "travel": Decimal("0.04"),
    "consumables": Decimal("0.06"),
    "subcontracting": Decimal("0.10"),
    "dissemination": Decimal("0.03"),
    "other_direct_costs": Decimal("0.03"),
    "indirect_costs": Decimal("0.09"),
    "patents_and_licences": Decimal("0.01"),
    "audit_certificates": Decimal("0.01"),
    "open_access_publications": Decimal("0.01"),
    "internal_prototyping": Decimal("0.01"),
    "training_and_workshops": Decimal("0.01"),
    "data_infrastructure": Decimal("0.01"),
    "certification_fees": Decimal("0.01"),
}
KINDS = {
    "sme": "Präzisionstechnik und Sondermaschinenbau für nachhaltige Fertigung GmbH",
    "large_enterprise": "Industriewerke für Werkstoffe, Antriebe und Kreislauftechnologien AG",
    "research_organisation": "Institut für angewandte Forschung in Werkstofftechnik und Digitalisierung",
    "university": "Université des Sciences appliquées, Département d'ingénierie des procédés",
    "cluster_organisation": "Cluster Kreislaufwirtschaft, Mobilität und Fertigungstechnik e.V.",
}
SENTENCES = [
    "The consortium brings together small and medium-sized enterprises, research organisations and cluster "
    "managers from three Alpine regions that share a smart-specialisation priority.",
    "Its partners will co-design, prototype and validate a cross-border value chain in which secondary raw "
    "materials recovered in one region become certified inputs for manufacturers in the others.",
    "Work package one maps material flows, regulatory constraints and the digital infrastructure each partner "
    "already operates, and agrees on common data models for traceability.",
    "Work package two develops the process innovations: low-energy sorting, sensor-based quality grading and a "
    "shared digital product passport that follows every batch from collection to reuse.",
    "Work package three pilots the chain at industrial scale in two demonstration sites, measuring yield, "
    "energy use, cost per tonne and the life-cycle emissions avoided against today's linear practice.",
    "Work package four transfers the results: open training modules, a replication guide for other regions and "
    "a business model that lets the participating SMEs keep operating the chain after the project.",
    "The expected impact is a reduction of virgin material use by a fifth in the pilot lines, new skilled jobs "
    "in rural valleys and a measurable increase in cross-border contracts between the partners.",
    "Risks are identified early: supply volatility, certification delays and data-sharing concerns are "
    "mitigated by framework agreements, a regulatory sandbox dialogue and a privacy-by-design architecture.",
    "The coordinator has led three transregional projects before; each regional partner is supported by its "
    "cluster, which guarantees access to end users and to the regional innovation ecosystem.",
    "Gender balance, accessibility and the involvement of young researchers are part of the management plan, "
    "with a steering board meeting quarterly, alternating between the participating regions.",
]
PARTNERS_PER_REGION = (2, 2, 1)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def proposal_payload(rng: random.Random, label: str, call: dict[str, Any]) -> dict[str, Any]:
    """A complete, submittable proposal of about 10 KB: 5 partners from 3 regions of the call."""
    regions = rng.sample(call["regions"], k=len(PARTNERS_PER_REGION))
    shared_areas = set.intersection(*(set(region["s3_areas"]) for region in regions)) & set(call["topics"])
    areas = sorted(shared_areas) or [regions[0]["s3_areas"][0]]
    partners: list[dict[str, Any]] = []
    for region, count in zip(regions, PARTNERS_PER_REGION, strict=True):
        kinds = rng.sample(region["eligible_organisation_types"], k=count)
        for kind in kinds:
            number = len(partners) + 1
            costs = Decimal(rng.randrange(120_000, 260_000, 500))
            budget = {category: _money(costs * share) for category, share in COST_SHARES.items()}
            total = sum((Decimal(amount) for amount in budget.values()), Decimal(0))
            rate = Decimal(str(region["funding_rates"][kind]))
            requested = total * rate * Decimal(rng.choice(("0.85", "0.9", "0.95")))
            for cap, share in ((region.get("max_grant_per_partner"), 1), (region.get("max_grant_per_proposal"), count)):
                if cap:
                    requested = min(requested, Decimal(str(cap)) * Decimal("0.95") / share)
            partners.append(
                {
                    "organisation_name": f"{region['name']} {KINDS[kind]} {label}-{number}",
                    "legal_id": f"{region['code']}-{label}-{number:02d}-{rng.randrange(10**8):08d}",
                    "country": region["code"][:2],
                    "region_code": region["code"],
                    "organisation_type": kind,
                    "is_sme": kind == "sme",
                    "role": "coordinator" if number == 1 else "partner",
                    "contact": {
                        "name": f"Dr. Maria-Theresia Oberhuber-Lindqvist {number}",
                        "email": f"contact.{label.lower()}.{number}@partner{number}.example.org",
                    },
                    "currency": region["currency"],
                    "budget": budget,
                    "requested_funding": _money(requested),
                }
            )
    sentences = SENTENCES * 4
    rng.shuffle(sentences)
    abstract = ""
    for sentence in sentences:
        if len(abstract) + len(sentence) + 1 > 4_900:
            break
        abstract = f"{abstract} {sentence}".strip()
    return {
        "acronym": f"SRG-{label}"[:20],
        "title": f"Transregional value chain for {', '.join(areas)} across the Alps: recovering, certifying and "
        f"reusing secondary raw materials between SMEs, research and clusters ({label})",
        "abstract": abstract,
        "s3_areas": areas,
        "trl": rng.randint(4, 7),
        "duration_months": rng.choice((24, 30, 36)),
        "partners": partners,
    }


@dataclass
class Consortium:
    """One applicant and its proposal, prepared before the clock starts (body bytes, token)."""

    label: str
    applicant: str
    headers: dict[str, str]
    body: bytes
    key: str
    retry: bool
    proposal_id: str | None = None


def consortia(
    rng: random.Random, prefix: str, count: int, call: dict[str, Any], retry_fraction: float
) -> list[Consortium]:
    made = []
    for index in range(count):
        label = f"{prefix}{index:05d}"
        applicant = f"surge-{label.lower()}"
        token = issue_token(DEV_JWT_SECRET, f"consortium:{applicant}", ttl_s=6 * 3600)
        made.append(
            Consortium(
                label=label,
                applicant=applicant,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                body=json.dumps(proposal_payload(rng, label, call), ensure_ascii=False).encode(),
                key=str(uuid.uuid4()),
                retry=rng.random() < retry_fraction,
            )
        )
    return made


# --- measuring -------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Latencies of successful requests by operation; failures by operation and kind."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    requests: int = 0

    def fail(self, op: str, kind: str, detail: str) -> None:
        name = f"{op}: {kind}"
        self.errors[name] += 1
        self.examples.setdefault(name, detail[:500])


async def request(
    client: httpx.AsyncClient,
    recorder: Recorder,
    op: str,
    method: str,
    url: str,
    expected: int,
    scheduled: float | None = None,
    **kwargs: Any,
) -> httpx.Response | None:
    """One timed request; timed from `scheduled` (perf_counter) when given: an open-loop arrival's
    latency includes any wait before it could be sent, so queueing is not hidden."""
    recorder.requests += 1
    started = time.perf_counter() if scheduled is None else scheduled
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        recorder.fail(op, type(exc).__name__, str(exc))
        return None
    elapsed = time.perf_counter() - started
    if response.status_code != expected:
        recorder.fail(op, f"HTTP {response.status_code}", response.text)
        return None
    recorder.latencies[op].append(elapsed)
    return response


async def run_pool(
    items: Iterable[Any], clients: list[httpx.AsyncClient], work: Callable[[httpx.AsyncClient, Any], Awaitable[None]]
) -> float:
    """One loop per client, each taking the next item until none is left; the wall time in seconds."""
    iterator: Iterator[Any] = iter(items)

    async def loop(client: httpx.AsyncClient) -> None:
        for item in iterator:
            await work(client, item)

    started = time.perf_counter()
    await asyncio.gather(*(loop(client) for client in clients))
    return time.perf_counter() - started


@contextlib.asynccontextmanager
async def connected_clients(
    base_url: str, count: int, workers: list[int] | None = None
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` consortia, each with its own client and keep-alive connection, as separate users have.

    The API's uvicorn `workers` (pids) share one listening socket, and which of them accepts a connection
    is a race: left alone, one of two workers often gets two thirds of the connections, and the run then
    measures the race rather than the code (for the baseline as for jointcall). So the connections are
    opened one by one before the clock starts, and the ones on a crowded worker are reopened until each
    worker holds its share (from /proc: which worker owns the server end of each connection). Idle
    connections are dropped by the client after 4 s, before uvicorn's 5 s keep-alive timeout.
    """
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=4.0)

    async def connect() -> tuple[httpx.AsyncClient, int]:
        client = httpx.AsyncClient(base_url=base_url, limits=limits, timeout=httpx.Timeout(120.0))
        response = await client.get("/healthz")
        response.raise_for_status()
        address = response.extensions["network_stream"].get_extra_info("client_addr")
        return client, int(address[1]) if address else 0

    opened = [await connect() for _ in range(count)]
    try:
        if workers and len(workers) > 1:
            server_port = int(base_url.rsplit(":", 1)[1])
            for _attempt in range(20 * count):
                owner = _connection_owners(server_port, workers)
                load = Counter({pid: 0 for pid in workers})
                load.update(owner.get(port, 0) for _, port in opened)
                crowded, light = load.most_common()[0], load.most_common()[-1]
                if crowded[1] - light[1] <= 1 or 0 in load:
                    break
                index = next(i for i, (_, port) in enumerate(opened) if owner.get(port) == crowded[0])
                await opened[index][0].aclose()
                opened[index] = await connect()
        yield [client for client, _ in opened]
    finally:
        for client, _ in opened:
            await client.aclose()


def _connection_owners(server_port: int, workers: list[int]) -> dict[int, int]:
    """Client port -> pid of the worker holding the server end of that TCP connection."""
    owner_of_inode: dict[int, int] = {}
    for pid in workers:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        owner_of_inode[int(link[8:-1])] = pid
    owners: dict[int, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                inode = int(fields[9])
                if local_port == server_port and inode in owner_of_inode:
                    owners[int(fields[2].rsplit(":", 1)[1], 16)] = owner_of_inode[inode]
    return owners


def percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(q: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))] * 1000

    return {
        "count": len(ordered),
        "p50_ms": round(at(0.50), 1),
        "p95_ms": round(at(0.95), 1),
        "p99_ms": round(at(0.99), 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum", "logical replication", "stats")


def _process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (CPU ticks used so far, parent pid, command line), from /proc."""
    table: dict[int, tuple[int, int, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            command = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[11]) + int(fields[12]), int(fields[1]), command.strip())
    return table


def _machine_ticks() -> tuple[int, int, int, int]:
    """(busy, total, stolen, interrupts) ticks of all CPUs: user nice system idle iowait irq softirq steal."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields), fields[7], fields[5] + fields[6]


class CpuMeter:
    """Who used the machine's CPU during a stage, in cores: this load generator, each process the bench
    started (uvicorn workers one by one), PostgreSQL for this run's databases, and everything else (other
    people's processes on a shared machine: the figures are only comparable when that stays small)."""

    started: dict[int, str] = {}  # pid -> name, of the processes the bench spawned
    suffix = ""

    def __enter__(self) -> CpuMeter:
        self._before = _process_table()
        self._machine = _machine_ticks()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = max(time.perf_counter() - self._wall, 1e-9)
        after = _process_table()
        busy0, total0, stolen0, interrupts0 = self._machine
        busy1, total1, stolen1, interrupts1 = _machine_ticks()
        cpus = os.cpu_count() or 1
        self.machine_busy = (busy1 - busy0) / max(total1 - total0, 1)
        used: Counter[str] = Counter()
        others: Counter[str] = Counter()
        for pid, (ticks, _parent, command) in after.items():
            delta = ticks - self._before.get(pid, (0, 0, ""))[0]
            if delta > 0:
                label = self._label(pid, after)
                used[label] += delta / CLOCK_TICKS / wall
                if label == "other processes":
                    others[command[:60] or f"pid {pid}"] += delta / CLOCK_TICKS / wall
        used["hypervisor steal"] = (stolen1 - stolen0) / max(total1 - total0, 1) * cpus
        used["interrupts (irq, softirq)"] = (interrupts1 - interrupts0) / max(total1 - total0, 1) * cpus
        attributed = sum(used.values())
        # what no live process accounts for: processes that exited meanwhile, interrupts
        used["unattributed"] = max(0.0, self.machine_busy * cpus - attributed)
        self.cores = {label: round(value, 2) for label, value in used.most_common() if value >= 0.01}
        self.other = round(used["other processes"] + used["postgres: other sessions"] + used["unattributed"], 2)
        self.other_top = {command: round(value, 2) for command, value in others.most_common(3) if value >= 0.01}
        self.exited = len(set(self._before) - set(after))
        self.appeared = len(set(after) - set(self._before))

    def _label(self, pid: int, table: dict[int, tuple[int, int, str]]) -> str:
        if pid == os.getpid():
            return "load generator (this process)"
        ancestor, depth = pid, 0
        while ancestor in table and depth < 8:
            if ancestor in self.started:
                name = self.started[ancestor]
                return name if ancestor == pid else f"{name} [{pid}]"
            ancestor, depth = table[ancestor][1], depth + 1
        command = table[pid][2]
        if not command or table[pid][1] == 2:
            return "kernel threads"
        if command.startswith("postgres"):
            if self.suffix and self.suffix in command:
                return "postgres: this run's sessions"
            if any(word in command for word in PG_BACKGROUND):
                return "postgres: background"
            return "postgres: other sessions"
        if "beam.smp" in command or "rabbitmq" in command:
            return "rabbitmq"
        return "other processes"

    def as_dict(self) -> dict[str, Any]:
        return {
            "machine_cpu_busy": round(self.machine_busy, 3),
            "other_load_cores": self.other,
            "cores_by_process": self.cores,
            "other_processes_top": self.other_top,
            "processes_exited": self.exited,
            "processes_started": self.appeared,
        }


@dataclass
class Ledger:
    """Every receipt the bench got (what must be in the database and on the bus afterwards)."""

    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)  # proposal id -> first receipt
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # proposal id -> (applicant, key)
    retries: int = 0
    retry_mismatches: int = 0
    retry_examples: list[dict[str, Any]] = field(default_factory=list)
    precheck_incomplete: int = 0


async def draft_and_precheck(
    client: httpx.AsyncClient, recorder: Recorder, ledger: Ledger, call_id: str, consortium: Consortium
) -> bool:
    created = await request(
        client,
        recorder,
        "draft",
        "POST",
        f"/calls/{call_id}/proposals",
        201,
        content=consortium.body,
        headers=consortium.headers,
    )
    if created is None:
        return False
    consortium.proposal_id = created.json()["id"]
    checked = await request(
        client,
        recorder,
        "precheck",
        "GET",
        f"/proposals/{consortium.proposal_id}/precheck",
        200,
        headers=consortium.headers,
    )
    if checked is None:
        return False
    if not checked.json().get("complete"):
        ledger.precheck_incomplete += 1
    return True


async def submit(
    client: httpx.AsyncClient,
    recorder: Recorder,
    ledger: Ledger,
    consortium: Consortium,
    scheduled: float | None = None,
) -> None:
    headers = {**consortium.headers, "Idempotency-Key": consortium.key}
    url = f"/proposals/{consortium.proposal_id}/submit"
    first = await request(client, recorder, "submit", "POST", url, 201, scheduled, headers=headers)
    if first is None:
        return
    receipt = first.json()
    ledger.receipts[receipt["proposal_id"]] = receipt
    ledger.keys[receipt["proposal_id"]] = (consortium.applicant, consortium.key)
    if consortium.retry:  # the first response "was lost": the same request again
        again = await request(client, recorder, "submit_retry", "POST", url, 201, headers=headers)
        ledger.retries += 1
        if again is not None and again.json() != receipt:
            ledger.retry_mismatches += 1
            if len(ledger.retry_examples) < 3:
                ledger.retry_examples.append({"first": receipt, "retry": again.json()})


def stage_result(recorder: Recorder, wall: float, units: int, unit: str, cpu: CpuMeter) -> dict[str, Any]:
    return {
        unit: units,
        "wall_s": round(wall, 2),
        f"{unit}_per_s": round(units / wall, 1) if wall else 0.0,
        "requests": recorder.requests,
        "requests_per_s": round(recorder.requests / wall, 1) if wall else 0.0,
        "latency": {op: percentiles(values) for op, values in sorted(recorder.latencies.items())},
        "errors": dict(recorder.errors),
        "error_examples": recorder.examples,
        **cpu.as_dict(),
    }


async def metered_pool(
    base_url: str,
    clients: int,
    workers: list[int] | None,
    items: Iterable[Any],
    work: Callable[[httpx.AsyncClient, Any], Awaitable[None]],
) -> tuple[float, CpuMeter]:
    """run_pool over `clients` fresh connected_clients, the CPU metered while it runs (not while connecting):
    the wall time and the meter."""
    async with connected_clients(base_url, clients, workers) as pool:
        with CpuMeter() as cpu:
            wall = await run_pool(items, pool, work)
    return wall, cpu


@dataclass(frozen=True)
class Target:
    """Where a closed-loop stage sends its consortia: proposal_intake at `base_url` and its call, `clients`
    connections (balanced over the API's uvicorn `workers`), and the ledger of what it accepted."""

    base_url: str
    call_id: str
    clients: int
    ledger: Ledger
    workers: list[int] | None = None

    async def metered(
        self, items: Iterable[Any], work: Callable[[httpx.AsyncClient, Any], Awaitable[None]]
    ) -> tuple[float, CpuMeter]:
        return await metered_pool(self.base_url, self.clients, self.workers, items, work)


async def flow_stage(target: Target, people: list[Consortium]) -> dict[str, Any]:
    """Each consortium: draft, pre-check, submit (and maybe the retry), one after the other."""
    recorder = Recorder()

    async def flow(client: httpx.AsyncClient, consortium: Consortium) -> None:
        if await draft_and_precheck(client, recorder, target.ledger, target.call_id, consortium):
            await submit(client, recorder, target.ledger, consortium)

    wall, cpu = await target.metered(people, flow)
    done = len(recorder.latencies["submit"])
    return stage_result(recorder, wall, done, "proposals", cpu)


async def surge_stage(target: Target, people: list[Consortium]) -> dict[str, Any]:
    """Drafts and pre-checks first; then, at "the deadline", every consortium submits."""
    prepare, surge = Recorder(), Recorder()

    async def prepare_one(client: httpx.AsyncClient, consortium: Consortium) -> None:
        await draft_and_precheck(client, prepare, target.ledger, target.call_id, consortium)

    async def submit_one(client: httpx.AsyncClient, consortium: Consortium) -> None:
        await submit(client, surge, target.ledger, consortium)

    prepare_wall, prepare_cpu = await target.metered(people, prepare_one)
    ready = [c for c in people if c.proposal_id is not None]
    surge_wall, surge_cpu = await target.metered(ready, submit_one)
    done = len(surge.latencies["submit"])
    return {
        "prepare": stage_result(prepare, prepare_wall, len(ready), "drafts", prepare_cpu),
        "submit": stage_result(surge, surge_wall, done, "submissions", surge_cpu),
        "whole_flow_proposals_per_s": round(done / (prepare_wall + surge_wall), 1),
    }


async def prepare_drafts(target: Target, people: list[Consortium]) -> Recorder:
    """Drafts and pre-checks of `people`, closed loop (before an open-loop stage's clock starts)."""
    recorder = Recorder()

    async def prepare(client: httpx.AsyncClient, consortium: Consortium) -> None:
        await draft_and_precheck(client, recorder, target.ledger, target.call_id, consortium)

    async with connected_clients(target.base_url, target.clients, target.workers) as pool:
        await run_pool(people, pool, prepare)
    return recorder


def arrival_offsets(count: int, rate: float, arrivals: str, rng: random.Random) -> list[float]:
    """When each of `count` requests is due, in seconds from the start: every 1/rate s, or a Poisson process."""
    if arrivals == "constant":
        return [index / rate for index in range(count)]
    offsets, at = [], 0.0
    for _ in range(count):
        offsets.append(at)
        at += rng.expovariate(rate)
    return offsets


async def open_loop_stage(
    base_url: str,
    people: list[Consortium],
    rate: float,
    connections: int,
    ledger: Ledger,
    schedule: list[float],
    workers: list[int] | None = None,
) -> dict[str, Any]:
    """Submissions arrive on a schedule, whatever the server's pace (no coordinated omission): each one is
    timed from its scheduled instant, so a request that waits (for the server or for a free connection)
    counts its wait. The generator's own lateness is reported, to show it kept up."""
    recorder = Recorder()
    lateness: list[float] = []
    async with connected_clients(base_url, connections, workers) as pool:
        idle: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for client in pool:
            idle.put_nowait(client)

        async def arrive(consortium: Consortium, scheduled: float) -> None:
            client = await idle.get()
            try:
                await submit(client, recorder, ledger, consortium, scheduled)
            finally:
                idle.put_nowait(client)

        tasks = []
        with CpuMeter() as cpu:
            start = time.perf_counter() + 0.05
            for consortium, offset in zip(people, schedule, strict=True):
                scheduled = start + offset
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                lateness.append(max(0.0, time.perf_counter() - scheduled))
                tasks.append(asyncio.create_task(arrive(consortium, scheduled)))
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - start
    result = stage_result(recorder, wall, len(recorder.latencies["submit"]), "submissions", cpu)
    result["offered_per_s"] = round(rate, 1)
    result["arrivals"] = len(people)
    result["generator_lateness"] = percentiles(lateness)
    return result


async def baseline_stage(
    base_url: str, people: list[Consortium], clients: int, workers: list[int] | None = None
) -> dict[str, Any]:
    recorder = Recorder()

    async def post(client: httpx.AsyncClient, consortium: Consortium) -> None:
        headers = {"Content-Type": "application/json", "X-Applicant": consortium.applicant}
        await request(client, recorder, "submit", "POST", "/submissions", 201, content=consortium.body, headers=headers)

    wall, cpu = await metered_pool(base_url, clients, workers, people, post)
    return stage_result(recorder, wall, len(recorder.latencies["submit"]), "submissions", cpu)


# --- processes -----------------------------------------------------------------------------------


@dataclass
class Processes:
    """The processes this bench started (each in its own session); stopped by their own pid only."""

    log_dir: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def run(self, argv: list[str], env: dict[str, str]) -> None:
        result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stderr.decode()[-3000:]}")

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (self.log_dir / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        CpuMeter.started[self.running[name].pid] = name

    def wait_ready(self, name: str, url: str, within: float = 90.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.running[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.tail(name)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready within {within:.0f} s:\n{self.tail(name)}")

    def workers(self, name: str, expected: int, within: float = 30.0) -> list[int]:
        """The pids of a uvicorn's worker processes (its children running multiprocessing's spawn_main)."""
        parent = self.running[name].pid
        deadline = time.monotonic() + within
        found: list[int] = []
        while time.monotonic() < deadline:
            table = _process_table()
            found = [pid for pid, (_, ppid, command) in table.items() if ppid == parent and "spawn_main" in command]
            if len(found) >= expected:
                break
            time.sleep(0.2)
        return sorted(found)

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def tail(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


# --- infrastructure --------------------------------------------------------------------------------


@dataclass
class Infrastructure:
    """Fresh databases, exchange and queue prefix of this run, and the bench's own queue."""

    postgres_url: str
    rabbitmq_url: str
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    created_databases: list[str] = field(default_factory=list)
    services: ClassVar[tuple[str, ...]] = STACK_SERVICES  # the services of the stack it runs

    @property
    def exchange(self) -> str:
        return f"jointcall.bench.{self.suffix}"

    @property
    def queue_prefix(self) -> str:
        return f"jcbench.{self.suffix}"

    @property
    def bench_queue(self) -> str:
        return f"{self.queue_prefix}.bench.submitted"

    def database(self, name: str) -> str:
        return f"jc_bench_{name}_{self.suffix}"

    def dsn(self, name: str) -> str:
        return f"{self.postgres_url.rsplit('/', 1)[0]}/{self.database(name)}"

    def sqlalchemy_url(self, name: str) -> str:
        return self.dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)

    def stack_env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "JOINTCALL_RABBITMQ_URL": self.rabbitmq_url,
            "JOINTCALL_EXCHANGE": self.exchange,
            "JOINTCALL_QUEUE_PREFIX": self.queue_prefix,
        }
        for name in self.services:
            env[f"JOINTCALL_{name.upper()}_DATABASE_URL"] = self.sqlalchemy_url(name)
        return env

    async def create_empty_databases(self, names: Iterable[str]) -> None:
        """A fresh database per name (see `database`), dropped by drop_databases."""
        admin = await asyncpg.connect(self.postgres_url)
        try:
            for name in names:
                await admin.execute(f'CREATE DATABASE "{self.database(name)}"')
                self.created_databases.append(self.database(name))
        finally:
            await admin.close()

    async def create_databases(self) -> None:
        await self.create_empty_databases((*self.services, "baseline"))
        connection = await asyncpg.connect(self.dsn("baseline"))
        try:
            await connection.execute(BASELINE_SCHEMA)
        finally:
            await connection.close()

    async def drop_databases(self) -> None:
        admin = await asyncpg.connect(self.postgres_url)
        try:
            for database in self.created_databases:
                await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await admin.close()

    def bind_bench_queue(self) -> None:
        """Declared before anything is published: it counts every proposal.submitted of the run."""
        connection = pika.BlockingConnection(pika.URLParameters(self.rabbitmq_url))
        try:
            channel = connection.channel()
            channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
            channel.queue_declare(self.bench_queue, durable=True)
            channel.queue_bind(self.bench_queue, self.exchange, routing_key=SUBMITTED_KEY)
        finally:
            connection.close()

    def bench_queue_depth(self) -> int:
        connection = pika.BlockingConnection(pika.URLParameters(self.rabbitmq_url))
        try:
            return int(connection.channel().queue_declare(self.bench_queue, passive=True).method.message_count)
        finally:
            connection.close()

    def consume_bench_queue(self) -> list[tuple[str | None, bytes]]:
        """Every message on the bench queue: (message id, body)."""
        messages: list[tuple[str | None, bytes]] = []
        connection = pika.BlockingConnection(pika.URLParameters(self.rabbitmq_url))
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=1000)
            for method, properties, body in channel.consume(self.bench_queue, auto_ack=True, inactivity_timeout=3):
                if method is None:
                    break
                messages.append((properties.message_id, body))
            channel.cancel()
        finally:
            connection.close()
        return messages

    def queues(self) -> list[str]:
        """Every queue of the run: the bench's, each subscription's, its .retry and its .dead."""
        queues = [self.bench_queue]
        for definition in stack_definitions():
            settings = definition.settings_class(database_url="sqlite+aiosqlite:///:memory:")
            for subscription in definition.subscriptions(open_runtime(definition, settings)):
                queues += [f"{self.queue_prefix}.{subscription.queue}{s}" for s in ("", ".retry", ".dead")]
        return queues

    def delete_topology(self) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.rabbitmq_url))
        try:
            channel = connection.channel()
            for queue in self.queues():
                channel.queue_delete(queue)
            channel.exchange_delete(self.exchange)
        finally:
            connection.close()


# --- the call and the preload ----------------------------------------------------------------------


def stack_definitions() -> list[ServiceDefinition]:
    """Imported one by one (not services.registry): the bench needs only these two services."""
    from services.call_definition.app import SERVICE as CALL_DEFINITION
    from services.proposal_intake.app import SERVICE as PROPOSAL_INTAKE

    return [CALL_DEFINITION, PROPOSAL_INTAKE]


def alpine_call_body(now: datetime) -> dict[str, Any]:
    """The Alpine example re-dated to be open now and to close in two hours (as services/demo.py does)."""
    body = redated(alpine_call(), now - timedelta(hours=1))
    body["code"] = f"ALP-SURGE-{uuid.uuid4().hex[:8]}"
    body["stages"][-1]["deadline"] = (now + timedelta(hours=2)).isoformat()
    for key, days in (("eligibility_check_due", 30), ("evaluation_due", 60), ("decisions_due", 90)):
        body[key] = (now + timedelta(days=days)).isoformat()
    return body


def publish_call(call_definition_url: str) -> dict[str, Any]:
    agency = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'agency')}"}
    body = alpine_call_body(datetime.now(UTC))
    with httpx.Client(base_url=call_definition_url, headers=agency, timeout=30) as client:
        created = client.post("/calls", json=body)
        if created.status_code != 201:
            raise RuntimeError(f"creating the call: {created.status_code} {created.text}")
        call: dict[str, Any] = created.json()
        published = client.post(f"/calls/{call['id']}/publish")
        if published.status_code != 200:
            raise RuntimeError(f"publishing the call: {published.status_code} {published.text}")
    call["body"] = body
    return call


async def wait_for_call_copy(dsn: str, call_id: str, within: float = 60.0) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if await connection.fetchval("SELECT count(*) FROM call_copies WHERE call_id = $1", call_id):
                return
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    raise RuntimeError("proposal_intake never learnt of the call (is the call_definition worker relaying?)")


async def preload(dsn: str, call: dict[str, Any], count: int, seed: int) -> dict[str, Any]:
    """Put `count` submitted proposals in the call by inserting the rows a submission writes (COPY).

    Same content as the bench's proposals, hashed the same way; their outbox rows are marked as
    already published (they were never on this run's bus) and are not part of the event check.
    """
    started = time.perf_counter()
    rng = random.Random(seed + 1)
    now = datetime.now(UTC)
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for index in range(count):
        label = f"P{index:05d}"
        draft = ProposalDraft.model_validate(proposal_payload(rng, label, call["body"])).with_partner_keys()
        content = draft.model_dump(mode="json")
        content_text = json.dumps(content, ensure_ascii=False)
        digest = sha256_hex(content)
        proposal_id, applicant = str(uuid.uuid4()), f"preload-{label.lower()}"
        at = now - timedelta(seconds=count - index)
        event_id = str(uuid.uuid4())
        rows["proposals"].append(
            (proposal_id, call["id"], applicant, "submitted", content_text, 1, 1, draft.acronym, at, at, None)
        )
        rows["proposal_versions"].append((proposal_id, 1, content_text, digest, "[]", at, f"consortium:{applicant}"))
        rows["idempotent_submissions"].append((applicant, str(uuid.uuid4()), proposal_id, 1, at))
        for partner in content["partners"]:
            rows["region_partners"].append(
                (
                    proposal_id,
                    partner["key"],
                    call["id"],
                    partner["region_code"],
                    1,
                    json.dumps(partner, ensure_ascii=False),
                    draft.acronym,
                )
            )
        envelope = json.dumps(
            {
                "id": event_id,
                "type": SUBMITTED_TYPE,
                "source": "proposal_intake",
                "time": at.isoformat(),
                "subject": proposal_id,
                "correlationid": event_id,
                "causationid": None,
                "data": {"proposal_id": proposal_id, "call_id": call["id"], "version": 1, "content_sha256": digest}
                | content,
            },
            ensure_ascii=False,
        )
        rows["outbox"].append((event_id, SUBMITTED_TYPE, proposal_id, event_id, envelope, at, at, 1, None))
        rows["audit_log"].append(
            (
                at,
                f"consortium:{applicant}",
                "proposal.submitted",
                "proposal",
                proposal_id,
                None,
                json.dumps({"version": 1, "sha256": digest}),
                None,
                event_id,
                call["id"],
            )
        )
    columns = {
        "proposals": "id call_id applicant_id status draft draft_revision current_version acronym created_at"
        " updated_at withdrawn_at",
        "proposal_versions": "proposal_id version content content_sha256 warnings submitted_at submitted_by",
        "idempotent_submissions": "applicant_id key proposal_id version created_at",
        "region_partners": "proposal_id partner_key call_id region_code version partner acronym",
        "outbox": "event_id event_type subject correlation_id envelope created_at published_at attempts last_error",
        "audit_log": "at actor action entity entity_id before after reason correlation_id call_id",
    }
    generated = time.perf_counter() - started
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            for table, names in columns.items():
                await connection.copy_records_to_table(table, records=rows[table], columns=names.split())
        await connection.execute("ANALYZE")
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()
    return {
        "proposals": count,
        "method": "rows COPYed directly into proposal_intake's database (proposals, proposal_versions, "
        "region_partners, idempotent_submissions, outbox marked published, audit_log), then ANALYZE and CHECKPOINT",
        "generate_s": round(generated, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }


async def checkpoint(dsn: str) -> None:
    """Before each measured stage, so that a checkpoint of earlier writes does not land in it."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


# --- verification ------------------------------------------------------------------------------------


async def wait_for_outbox(dsn: str, within: float) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn)
    started = time.monotonic()
    try:
        while True:
            pending = await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            if pending == 0 or time.monotonic() - started > within:
                return {"unpublished": pending, "waited_s": round(time.monotonic() - started, 1)}
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


def wait_for_queue(infra: Infrastructure, expected: int, within: float = 60.0) -> int:
    """Until the bench queue holds `expected` messages, or its depth stops growing for 5 s."""
    deadline, last, stable_since = time.monotonic() + within, -1, time.monotonic()
    while time.monotonic() < deadline:
        depth = infra.bench_queue_depth()
        if depth >= expected:
            return depth
        if depth != last:
            last, stable_since = depth, time.monotonic()
        elif time.monotonic() - stable_since > 5:
            return depth
        time.sleep(0.5)
    return last


async def verify_database(dsn: str, ledger: Ledger) -> dict[str, Any]:
    ids = list(ledger.receipts)
    connection = await asyncpg.connect(dsn)
    try:
        versions = await connection.fetch(
            "SELECT proposal_id, version, content_sha256, content::text AS content FROM proposal_versions"
            " WHERE proposal_id = ANY($1::text[])",
            ids,
        )
        proposals = await connection.fetch(
            "SELECT id, status, current_version FROM proposals WHERE id = ANY($1::text[])", ids
        )
        keys = await connection.fetch(
            "SELECT applicant_id, key, proposal_id, version FROM idempotent_submissions"
            " WHERE proposal_id = ANY($1::text[])",
            ids,
        )
        outbox = await connection.fetch(
            "SELECT subject, event_type, published_at IS NOT NULL AS published FROM outbox"
            " WHERE subject = ANY($1::text[])",
            ids,
        )
        unpublished_total = await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        outbox_total = await connection.fetchval("SELECT count(*) FROM outbox")
    finally:
        await connection.close()

    by_proposal: dict[str, list[Any]] = defaultdict(list)
    for row in versions:
        by_proposal[row["proposal_id"]].append(row)
    missing, mismatched, rehash_failures = [], [], 0
    for proposal_id, receipt in ledger.receipts.items():
        stored = {row["version"]: row for row in by_proposal.get(proposal_id, [])}
        row = stored.get(receipt["version"])
        if row is None:
            missing.append(proposal_id)
            continue
        if row["content_sha256"] != receipt["content_sha256"]:
            mismatched.append(proposal_id)
        if hashlib.sha256(json_canonical(row["content"]).encode()).hexdigest() != row["content_sha256"]:
            rehash_failures += 1
    extra_versions = sum(max(0, len(rows) - 1) for rows in by_proposal.values())
    state = {row["id"]: (row["status"], row["current_version"]) for row in proposals}
    wrong_state = sum(1 for pid, r in ledger.receipts.items() if state.get(pid) != ("submitted", r["version"]))
    stored_keys = {(row["applicant_id"], row["key"]): (row["proposal_id"], row["version"]) for row in keys}
    keys_missing = sum(
        1 for pid, key in ledger.keys.items() if stored_keys.get(key) != (pid, ledger.receipts[pid]["version"])
    )
    submitted_rows = Counter(row["subject"] for row in outbox if row["event_type"] == SUBMITTED_TYPE)
    return {
        "receipts": len(ledger.receipts),
        "receipts_missing_in_db": len(missing),
        "receipts_with_other_hash": len(mismatched),
        "stored_content_not_matching_its_hash": rehash_failures,
        "versions_beyond_one_per_proposal": extra_versions,
        "proposals_not_submitted_at_receipt_version": wrong_state,
        "idempotency_keys_missing_or_wrong": keys_missing,
        "outbox_rows_for_receipts": sum(submitted_rows.values()),
        "receipts_without_exactly_one_outbox_row": sum(1 for pid in ids if submitted_rows.get(pid) != 1),
        "outbox_rows_total": outbox_total,
        "outbox_rows_unpublished": unpublished_total,
        "examples_missing": missing[:3],
    }


def json_canonical(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def verify_events(messages: list[tuple[str | None, bytes]], ledger: Ledger) -> dict[str, Any]:
    seen: Counter[tuple[str, int]] = Counter()
    message_ids: Counter[str | None] = Counter()
    unexpected_types: Counter[str] = Counter()
    hash_mismatch = 0
    for message_id, body in messages:
        envelope = json.loads(body)
        message_ids[message_id] += 1
        if envelope.get("type") != SUBMITTED_TYPE:
            unexpected_types[str(envelope.get("type"))] += 1
            continue
        data = envelope["data"]
        seen[(data["proposal_id"], int(data["version"]))] += 1
        receipt = ledger.receipts.get(data["proposal_id"])
        if receipt is not None and receipt["content_sha256"] != data["content_sha256"]:
            hash_mismatch += 1
    expected = {(pid, int(r["version"])) for pid, r in ledger.receipts.items()}
    return {
        "messages": len(messages),
        "expected": len(expected),
        "receipts_without_event": len(expected - set(seen)),
        "receipts_with_duplicate_events": sum(1 for key in expected if seen.get(key, 0) > 1),
        "events_without_receipt": len(set(seen) - expected),
        "duplicate_message_ids": sum(1 for n in message_ids.values() if n > 1),
        "event_hash_differs_from_receipt": hash_mismatch,
        "other_event_types": dict(unexpected_types),
    }


# --- the run -------------------------------------------------------------------------------------------


def run_async(coroutine: Awaitable[Any]) -> Any:
    async def wrapped() -> Any:
        return await coroutine

    try:
        import uvloop
    except ImportError:
        return asyncio.run(wrapped())
    return uvloop.run(wrapped())


NOTES = [
    "submit throughput: first submissions answered 201 per second in the surge stage, where every consortium's "
    "draft and pre-check were done before; the figure compared with the baseline, which takes one request per "
    "proposal too. Retried submits (same Idempotency-Key) are extra requests, not counted as submissions.",
    "whole-flow throughput: proposals per second through draft, pre-check and submit (3 requests each, plus the "
    "retries); against the baseline it is shown per proposal and per request.",
    "everything runs on the same machine: the load generator (one process, asyncio + httpx) takes a share of the "
    "cores, shown in cores_by_process with the APIs, PostgreSQL and anything else that ran meanwhile "
    "('unattributed': what /proc/stat counts and no live process accounts for, e.g. exited processes).",
    "before each stage the client connections are opened one by one and balanced over the API's uvicorn workers.",
    "the baseline is measured twice (before the stack starts and after it stops); ratios use the mean.",
]


def code_version() -> dict[str, Any]:
    """The commit, and whether the files this bench measures differ from it (read-only git commands)."""

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return result.stdout.strip() if result.returncode == 0 else ""

    changed = git("status", "--porcelain", "--", "services/proposal_intake", "shared")
    return {"commit": git("rev-parse", "HEAD") or None, "uncommitted_changes": changed.splitlines()}


def say(text: str) -> None:
    print(text, flush=True)


def report_failure(results: dict[str, Any], exc: BaseException, processes: Processes) -> None:
    """Record and print a failed run's error, with the last lines of each process still running."""
    results["error"] = f"{type(exc).__name__}: {exc}"
    say(f"FAILED: {results['error']}")
    for name in list(processes.running):
        tail = processes.tail(name)
        if tail:
            say(f"--- {name} (last lines)\n{tail[-1500:]}")
    if isinstance(exc, KeyboardInterrupt):
        say("interrupted: cleaning up")


def clean_up(processes: Processes, infra: Infrastructure, log_dir: Path, *, keep_logs: bool) -> None:
    """Stop the stack, delete the run's exchange, queues and databases, and its logs unless kept."""
    processes.stop_all()
    try:
        infra.delete_topology()
    except Exception as exc:
        say(f"WARNING: exchange/queues of run {infra.suffix} not deleted: {exc}")
    try:
        run_async(infra.drop_databases())
    except Exception as exc:
        say(f"WARNING: databases {', '.join(infra.created_databases)} not dropped: {exc}")
    if not keep_logs:
        for path in log_dir.glob("*.log"):
            path.unlink()
        with contextlib.suppress(OSError):
            log_dir.rmdir()


def write_results(results: dict[str, Any], output: Path, report: Callable[[dict[str, Any]], None] | None) -> int:
    """Write the results file, print the report (None: the run failed); exit code 1 if it failed or missed a target."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    if report is not None:
        report(results)
    say(f"results: {output}")
    return 1 if report is None or not all(t["met"] for t in results.get("targets", {}).values()) else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    rng = random.Random(args.seed)
    infra = Infrastructure(args.postgres_url, args.rabbitmq_url)
    log_dir = Path(tempfile.mkdtemp(prefix="deadline-surge-"))
    processes = Processes(log_dir)
    python = sys.executable
    jointcall = [python, "-m", "services"]
    results: dict[str, Any] = {
        "started_at": started.isoformat(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "code": code_version(),
        "notes": NOTES,
    }
    ledger = Ledger()
    failed = False
    CpuMeter.suffix = infra.suffix
    say(f"deadline surge: run {infra.suffix}, {args.clients} clients, logs in {log_dir}")
    try:
        run_async(infra.create_databases())
        infra.bind_bench_queue()
        env = infra.stack_env()
        for name in STACK_SERVICES:
            processes.run([*jointcall, "migrate", name], env)

        # 1. the bare baseline, alone on the machine (measured again at the end, to see the machine's drift)
        call_body = alpine_call_body(datetime.now(UTC))

        def measure_baseline(label: str) -> dict[str, Any]:
            port = free_port()
            baseline_env = {**env, "SURGE_BASELINE_DSN": infra.dsn("baseline")}
            argv = [python, "-m", "uvicorn", "surge_baseline_app:app", "--app-dir", str(ROOT / "bench")]
            argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.api_workers)]
            processes.spawn("baseline-api", argv, baseline_env)
            try:
                processes.wait_ready("baseline-api", f"http://127.0.0.1:{port}/healthz")
                base = f"http://127.0.0.1:{port}"
                count = args.baseline_requests or args.proposals
                workers = processes.workers("baseline-api", args.api_workers)
                warm = consortia(rng, f"{label}W", max(args.warmup, 1), call_body, 0)
                run_async(baseline_stage(base, warm, args.clients, workers))
                run_async(checkpoint(infra.dsn("baseline")))
                say(f"baseline ({label}): {count} submissions ...")
                measured: dict[str, Any] = run_async(
                    baseline_stage(base, consortia(rng, label, count, call_body, 0.0), args.clients, workers)
                )
                say(summary_line(f"baseline ({label})", measured, "submissions"))
                return measured
            finally:
                processes.stop("baseline-api")

        if not args.skip_baseline:
            results["baseline_runs"] = {"first": measure_baseline("first")}

        # 2. the full stack and the call
        urls = {}
        for name in STACK_SERVICES:
            port = free_port()
            argv = [*jointcall, "api", name, "--host", "127.0.0.1", "--port", str(port)]
            if name == "proposal_intake":
                argv += ["--workers", str(args.api_workers)]
            processes.spawn(f"api-{name}", argv, env)
            processes.spawn(f"worker-{name}", [*jointcall, "worker", name], env)
            urls[name] = f"http://127.0.0.1:{port}"
        for name in STACK_SERVICES:
            processes.wait_ready(f"api-{name}", f"{urls[name]}/readyz")
        call = publish_call(urls["call_definition"])
        run_async(wait_for_call_copy(infra.dsn("proposal_intake"), call["id"]))
        say(f"call {call['code']} published; proposal_intake knows it")
        intake = urls["proposal_intake"]
        workers = processes.workers("api-proposal_intake", args.api_workers)
        results["api_worker_pids"] = workers
        target = Target(intake, call["id"], args.clients, ledger, workers)
        sample = consortia(random.Random(0), "S", 1, call["body"], 0.0)[0]
        results["payload_bytes"] = len(sample.body)

        def run_open_loop(fractions: list[float], baseline_max: float) -> list[dict[str, Any]]:
            """At each fraction of the baseline's maximum: drafts prepared first, then submitted on schedule."""
            stages = []
            for fraction in fractions:
                rate = fraction * baseline_max
                count = max(1, round(rate * args.open_loop_seconds))
                people = consortia(rng, f"O{round(fraction * 100)}-", count, call["body"], 0.0)
                say(f"open loop at {fraction} x baseline ({rate:.0f}/s, {args.arrivals}): {count} submissions ...")
                prepared: Recorder = run_async(prepare_drafts(target, people))
                ready = [c for c in people if c.proposal_id is not None]
                schedule = arrival_offsets(len(ready), rate, args.arrivals, rng)
                run_async(checkpoint(infra.dsn("proposal_intake")))
                stage = run_async(
                    open_loop_stage(intake, ready, rate, args.open_loop_connections, ledger, schedule, workers)
                )
                stage["fraction_of_baseline"] = fraction
                stage["prepare_errors"] = dict(prepared.errors)
                say(summary_line(f"open loop {fraction} x", stage, "submissions"))
                stages.append(stage)
            return stages

        rates = [float(part) for part in args.open_loop_rates.split(",") if part.strip()]

        # 3. warm-up, then the empty call
        if args.warmup:
            run_async(flow_stage(target, consortia(rng, "W", args.warmup, call["body"], 0)))
        results["phases"] = {}
        for phase in ("empty", "preloaded"):
            if phase == "preloaded":
                if args.preload <= 0:
                    break
                say(f"preloading {args.preload} proposals into the call ...")
                results["preload"] = run_async(preload(infra.dsn("proposal_intake"), call, args.preload, args.seed))
                say(f"  done in {results['preload']['total_s']} s ({results['preload']['method']})")
            run_async(checkpoint(infra.dsn("proposal_intake")))
            prefix = phase[0].upper()
            say(f"phase {phase}: {args.flows} whole flows ...")
            flows = consortia(rng, f"{prefix}F", args.flows, call["body"], args.retry_fraction)
            flow = run_async(flow_stage(target, flows))
            say(summary_line(f"{phase} flow", flow, "proposals"))
            say(f"phase {phase}: surge of {args.proposals} submissions ...")
            people = consortia(rng, f"{prefix}S", args.proposals, call["body"], args.retry_fraction)
            run_async(checkpoint(infra.dsn("proposal_intake")))
            surge = run_async(surge_stage(target, people))
            say(summary_line(f"{phase} prepare", surge["prepare"], "drafts"))
            say(summary_line(f"{phase} surge submit", surge["submit"], "submissions"))
            results["phases"][phase] = {"flow": flow, "surge": surge}
            if phase == "empty" and rates and not args.skip_baseline:
                results["open_loop"] = run_open_loop(rates, results["baseline_runs"]["first"]["submissions_per_s"])

        # 4. verification
        say("verifying ...")
        drained = run_async(wait_for_outbox(infra.dsn("proposal_intake"), args.drain_timeout))
        depth = wait_for_queue(infra, len(ledger.receipts))
        messages = infra.consume_bench_queue()
        verification = {
            "outbox_drain": drained,
            "queue_depth_before_consuming": depth,
            "database": run_async(verify_database(infra.dsn("proposal_intake"), ledger)),
            "events": verify_events(messages, ledger),
            "retries": {
                "retried_submits": ledger.retries,
                "receipts_not_identical": ledger.retry_mismatches,
                "examples": ledger.retry_examples,
            },
            "prechecks_saying_incomplete": ledger.precheck_incomplete,
        }
        results["verification"] = verification
        if not args.skip_baseline:
            for name in list(processes.running):
                processes.stop(name)
            results["baseline_runs"]["last"] = measure_baseline("last")
            runs = results["baseline_runs"]
            results["baseline"] = {
                "submissions_per_s": round(statistics.fmean(r["submissions_per_s"] for r in runs.values()), 1),
                "spread": round(
                    abs(runs["first"]["submissions_per_s"] - runs["last"]["submissions_per_s"])
                    / max(runs["first"]["submissions_per_s"], 1e-9),
                    3,
                ),
                "note": "mean of the two baseline runs (first, before the stack started; last, after it stopped)",
            }
        results["targets"] = evaluate(results)
    except BaseException as exc:
        failed = True
        report_failure(results, exc, processes)
    finally:
        clean_up(processes, infra, log_dir, keep_logs=args.keep_logs or failed)
    results["finished_at"] = datetime.now(UTC).isoformat()
    results["duration_s"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    output = args.output or RESULTS / f"deadline_surge-{started:%Y%m%dT%H%M%SZ}.json"
    return write_results(results, output, None if failed else report)


def summary_line(label: str, stage: dict[str, Any], unit: str) -> str:
    latency = stage["latency"].get("submit") or next(iter(stage["latency"].values()), {"count": 0})
    errors = sum(stage["errors"].values())
    return (
        f"  {label:<26} {stage[f'{unit}_per_s']:>7.1f} {unit}/s, {stage['requests_per_s']:>7.1f} req/s"
        f"  {latency_text(latency)}  errors {errors}  cpu busy {stage['machine_cpu_busy']:.0%}"
    )


def cpu_line(stage: dict[str, Any]) -> str:
    """Where the two cores went during the stage (cores), the bench's own processes and the rest."""
    parts = [f"{label} {cores:.2f}" for label, cores in list(stage["cores_by_process"].items())[:8]]
    return f"      cores: {', '.join(parts)}"


def latency_text(stats: dict[str, Any]) -> str:
    p50, p95, p99 = (stats.get(f"p{n}_ms", 0.0) for n in (50, 95, 99))
    return f"p50 {p50:>6.1f} p95 {p95:>6.1f} p99 {p99:>6.1f} ms"


def evaluate(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    targets: dict[str, dict[str, Any]] = {}
    phases = results.get("phases", {})
    empty = phases.get("empty")
    baseline = results.get("baseline")
    if empty and baseline:
        base = baseline["submissions_per_s"]
        ratio = empty["surge"]["submit"]["submissions_per_s"] / base if base else 0.0
        targets[f"submit throughput >= {TARGET_RATIO} x baseline (empty call)"] = {
            "value": round(ratio, 3),
            "met": ratio >= TARGET_RATIO,
        }
        if "preloaded" in phases:
            ratio = phases["preloaded"]["surge"]["submit"]["submissions_per_s"] / base if base else 0.0
            targets[f"submit throughput >= {TARGET_RATIO} x baseline (preloaded call)"] = {
                "value": round(ratio, 3),
                "met": ratio >= TARGET_RATIO,
            }
    # Latency targets are open-loop ones: closed-loop latency is clients / throughput, not a property of the server.
    for stage in results.get("open_loop", []):
        fraction = stage["fraction_of_baseline"]
        limit = OPEN_LOOP_TARGETS_MS.get(fraction)
        p99 = stage["latency"].get("submit", {}).get("p99_ms", float("inf"))
        if limit is not None:
            targets[f"open loop at {fraction} x baseline: submit p99 < {limit:.0f} ms"] = {
                "value": p99,
                "met": p99 < limit,
            }
        errors = sum(stage["errors"].values()) + sum(stage["prepare_errors"].values())
        targets[f"open loop at {fraction} x baseline: zero errors"] = {"value": errors, "met": errors == 0}
    if empty and "preloaded" in phases:
        for stage_name, key in (
            ("surge submit", ("surge", "submit", "submissions_per_s")),
            ("flow", ("flow", "proposals_per_s")),
        ):
            before, after = _dig(empty, key), _dig(phases["preloaded"], key)
            change = (after - before) / before if before else 0.0
            targets[f"flat as the call grows ({stage_name}, within 10%)"] = {
                "value": round(change, 3),
                "met": abs(change) <= TARGET_FLATNESS or change > 0,
            }
    verification = results.get("verification", {})
    database, events = verification.get("database", {}), verification.get("events", {})
    lost = database.get("receipts_missing_in_db", 1) + events.get("receipts_without_event", 1)
    duplicated = (
        database.get("versions_beyond_one_per_proposal", 1)
        + events.get("receipts_with_duplicate_events", 1)
        + events.get("events_without_receipt", 1)
        + database.get("receipts_without_exactly_one_outbox_row", 1)
    )
    inconsistent = (
        database.get("receipts_with_other_hash", 1)
        + database.get("stored_content_not_matching_its_hash", 1)
        + database.get("proposals_not_submitted_at_receipt_version", 1)
        + database.get("idempotency_keys_missing_or_wrong", 1)
        + database.get("outbox_rows_unpublished", 1)
        + verification.get("retries", {}).get("receipts_not_identical", 1)
    )
    targets["zero lost submissions"] = {"value": lost, "met": lost == 0}
    targets["zero duplicated submissions or events"] = {"value": duplicated, "met": duplicated == 0}
    targets["receipts, hashes, keys and outbox consistent"] = {"value": inconsistent, "met": inconsistent == 0}
    errors = sum(
        sum(stage["errors"].values())
        for phase in phases.values()
        for stage in (phase["flow"], phase["surge"]["prepare"], phase["surge"]["submit"])
    )
    targets["zero request errors"] = {"value": errors, "met": errors == 0}
    return targets


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = data
    for key in path:
        value = value[key]
    return float(value)


def report(results: dict[str, Any]) -> None:
    say("")
    clients, size = results["config"]["clients"], results.get("payload_bytes")
    say(f"=== deadline surge: {clients} concurrent clients, proposal payload {size} bytes")
    baseline = results.get("baseline")
    for label, run in results.get("baseline_runs", {}).items():
        say(summary_line(f"baseline, {label} run", run, "submissions"))
        say(cpu_line(run))
    if baseline:
        say(f"  baseline (1 request per proposal): {baseline['submissions_per_s']} submissions/s, mean of the runs")
    for name, phase in results.get("phases", {}).items():
        flow, surge = phase["flow"], phase["surge"]
        say(f"--- {name} call")
        say(summary_line("flow (3 req/proposal)", flow, "proposals"))
        for op in ("draft", "precheck", "submit", "submit_retry"):
            stats = flow["latency"].get(op)
            if stats and stats.get("count"):
                say(f"      {op:<13} {latency_text(stats)}  (n={stats['count']})")
        say(cpu_line(flow))
        say(summary_line("surge: draft+precheck", surge["prepare"], "drafts"))
        say(summary_line("surge: submit", surge["submit"], "submissions"))
        say(cpu_line(surge["submit"]))
        say(f"  whole flow through the surge: {surge['whole_flow_proposals_per_s']} proposals/s")
        if baseline and baseline["submissions_per_s"]:
            base = baseline["submissions_per_s"]
            say(
                f"  ratio to baseline: submit {surge['submit']['submissions_per_s'] / base:.2f},"
                f" whole flow {flow['proposals_per_s'] / base:.2f} (proposals) /"
                f" {flow['requests_per_s'] / base:.2f} (requests)"
            )
    phases = results.get("phases", {})
    if "empty" in phases and "preloaded" in phases:
        empty, full = phases["empty"], phases["preloaded"]
        submit = (empty["surge"]["submit"]["submissions_per_s"], full["surge"]["submit"]["submissions_per_s"])
        flows = (empty["flow"]["proposals_per_s"], full["flow"]["proposals_per_s"])
        say(
            f"--- empty call -> {results['preload']['proposals']} proposals preloaded: surge submit"
            f" {submit[0]} -> {submit[1]} /s ({(submit[1] - submit[0]) / submit[0]:+.1%}), whole flow"
            f" {flows[0]} -> {flows[1]} proposals/s ({(flows[1] - flows[0]) / flows[0]:+.1%})"
        )
    if "preload" in results:
        say(f"preload: {results['preload']['proposals']} proposals, {results['preload']['method']}")
    verification = results.get("verification", {})
    say("--- verification")
    for section in ("database", "events", "retries"):
        values = {k: v for k, v in verification.get(section, {}).items() if k not in ("examples", "examples_missing")}
        say(f"  {section}: {json.dumps(values)}")
    say(f"  outbox drain: {verification.get('outbox_drain')}")
    say(f"  pre-checks saying incomplete: {verification.get('prechecks_saying_incomplete')}")
    for stage in results.get("open_loop", []):
        say(
            f"--- open loop at {stage['fraction_of_baseline']} x baseline: offered {stage['offered_per_s']}/s,"
            f" achieved {stage['submissions_per_s']}/s over {stage['wall_s']} s"
        )
        say(summary_line("open-loop submit", stage, "submissions"))
        say(f"      generator lateness {latency_text(stage['generator_lateness'])}")
        say(cpu_line(stage))
    say("--- targets")
    for name, target in results.get("targets", {}).items():
        say(f"  [{'ok' if target['met'] else 'MISSED'}] {name}: {target['value']}")


if __name__ == "__main__":
    sys.exit(main())
