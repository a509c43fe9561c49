"""The main job on the full stack with faults injected.

A smaller Alpine joint call runs twice through the public HTTP APIs (the flow of `jointcall demo --url`), each
service's api and worker in its own process, on PostgreSQL and RabbitMQ: once undisturbed, then again with the
same seed while every api and every worker is SIGKILLed and restarted once, and RabbitMQ itself is restarted
once, each in the middle of a phase. Afterwards: the consolidated results are those of the undisturbed run,
every accepted proposal has exactly one eligibility outcome and one evaluation line, every consumer applied
every event meant for it exactly once, no outbox row is left unpublished and no dead-letter queue holds anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pika
import pytest

from services.demo import Progress, RealTimeline, Results, SilentProgress, Tokens, run_joint_call
from services.demo.api import all_pages
from services.demo.transport import RoutingTransport
from services.registry import SERVICES
from shared.events import EVENT_MODELS
from shared.messaging.bus import topic_matches
from shared.service import open_runtime
from tests.integration.conftest import RABBITMQ_URL, Stack, _unavailable
from tests.integration.processes import Processes

pytestmark = pytest.mark.integration

PROPOSALS = 30
SEED = 12  # one grant given back funds a reserve proposal (the demo's flow after the results runs whole)
# Each fault: (phase of the demo's flow, share of that phase done when it strikes, what dies).
FAULT_PLAN: list[tuple[str, float, str]] = [
    ("drafts and pre-checks", 0.5, "api:call_definition"),
    ("submissions", 0.2, "api:proposal_intake"),
    ("submissions", 0.4, "worker:proposal_intake"),
    ("submissions", 0.6, "rabbitmq"),
    ("submissions", 0.8, "worker:call_definition"),
    ("eligibility checks opened", 0.0, "worker:regional_eligibility"),
    ("regional manual checks", 0.4, "api:regional_eligibility"),
    ("regional manual checks", 0.7, "worker:joint_evaluation"),
    ("assessments", 0.5, "api:joint_evaluation"),
    # after the results: reserve.funded reaches a dead worker, signatures a dead api (on this test's real clock
    # the reporting periods have not passed yet, so no phase of reports runs)
    ("reserve offer confirmed", 0.0, "worker:project_monitoring"),
    ("grant agreements signed", 0.4, "api:project_monitoring"),
]


def restart_rabbitmq() -> None:
    """Stop the whole broker node and start it again, as an operator or a crash-restart would."""
    subprocess.run(["rabbitmqctl", "stop"], check=True, capture_output=True, timeout=60)
    start_rabbitmq()


def start_rabbitmq() -> None:
    subprocess.run(["rabbitmq-server", "-detached"], check=True, capture_output=True, timeout=60)
    give_up = time.monotonic() + 120
    # The detached node takes a moment before rabbitmqctl can reach it at all (exit 69 until then).
    while subprocess.run(["rabbitmqctl", "await_startup"], capture_output=True, timeout=120).returncode != 0:
        if time.monotonic() > give_up:
            raise AssertionError("RabbitMQ did not start again within 120 s")
        time.sleep(0.5)


@pytest.fixture
def local_broker() -> Iterator[None]:
    """The fault test restarts RabbitMQ itself: it needs the local node's rabbitmqctl (root on a CI machine)."""
    if shutil.which("rabbitmqctl") is None or shutil.which("rabbitmq-server") is None:
        _unavailable("rabbitmqctl (to restart the local RabbitMQ node)", FileNotFoundError("not on PATH"))
    status = subprocess.run(["rabbitmqctl", "status"], capture_output=True, timeout=60)
    if status.returncode != 0:
        _unavailable("the local RabbitMQ node's control", RuntimeError(status.stderr.decode()[-300:]))
    yield
    if subprocess.run(["rabbitmqctl", "status"], capture_output=True, timeout=60).returncode != 0:
        start_rabbitmq()  # leave it as it was found


class Faults(SilentProgress):
    """The demo's progress, used to strike: when a phase of the plan is far enough along, the process is
    SIGKILLed there and then (so the flow's next request meets a dead server), and one task restarts what was
    killed, and restarts RabbitMQ, one fault after the other, while the flow goes on and rides out the outage."""

    def __init__(self, processes: Processes, plan: list[tuple[str, float, str]]) -> None:
        super().__init__()
        self.processes, self.plan = processes, plan
        self.fired: list[str] = []
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    @contextmanager
    def phase(self, label: str, total: int) -> Iterator[Progress]:
        with super().phase(label, total) as progress:
            self._strike_due()
            yield progress

    def step(self, count: int = 1) -> None:
        super().step(count)
        self._strike_due()

    def update(self, done: int) -> None:
        super().update(done)
        self._strike_due()

    def _strike_due(self) -> None:
        for phase, share, target in self.plan:
            due = max(1, math.ceil(share * self._total)) if share else 0
            if phase == self._label and self._done >= due and target not in self.fired:
                self.fired.append(target)
                if target != "rabbitmq":
                    self.processes.kill(target)  # SIGKILL: no shutdown code runs, as when a node dies
                self.queue.put_nowait(target)

    async def carry_out(self) -> None:
        while True:
            target = await self.queue.get()
            try:
                await asyncio.to_thread(self._recover, target)
            finally:
                self.queue.task_done()

    def _recover(self, target: str) -> None:
        if target == "rabbitmq":
            restart_rabbitmq()
            return
        role, service = target.split(":")
        if role == "api":
            self.processes.start_api(service)
        else:
            self.processes.start_worker(service)


@pytest.fixture
async def urls(processes: Processes, local_broker: None) -> AsyncIterator[dict[str, str]]:
    started = {service: processes.start_api(service) for service in SERVICES}
    for service in SERVICES:
        processes.start_worker(service)
    yield started


def comparable(results: Results) -> dict[str, Any]:
    """Everything but the call's code (codes are unique on a stack)."""
    return {**results, "call": {**results["call"], "code": None}}


async def run_call(urls: dict[str, str], code: str, progress: Progress) -> tuple[Results, int]:
    """The flow of `jointcall demo --url` on the stack; its results, and how many requests the client had to
    send again (a server was down or restarting)."""
    transport = RoutingTransport.for_services(urls)
    async with httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=60) as client:
        results = await run_joint_call(
            client,
            proposals=PROPOSALS,
            seed=SEED,
            timeline=RealTimeline(window=timedelta(seconds=120)),  # room for 30 drafts on a loaded machine
            progress=progress,
            call_code=code,
            concurrency=4,
        )
    return results, transport.retries


@pytest.mark.timeout(900)  # two whole calls with their projects, one with every process restarted
async def test_a_joint_call_survives_every_process_and_the_broker_restarting(
    processes: Processes, stack: Stack, urls: dict[str, str]
) -> None:
    undisturbed, calm_retries = await run_call(urls, "ALP-CALM", SilentProgress())
    assert calm_retries == 0

    faults = Faults(processes, FAULT_PLAN)
    recovery = asyncio.create_task(faults.carry_out())
    try:
        disturbed, retries = await run_call(urls, "ALP-FAULTS", faults)
        await asyncio.wait_for(faults.queue.join(), timeout=120)
    except BaseException:
        print(processes.logs())
        raise
    finally:
        recovery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recovery
    assert faults.fired == [target for _, _, target in FAULT_PLAN]
    assert retries >= 3  # the killed apis of intake, eligibility and evaluation each refused the flow's requests
    assert disturbed["submissions"]["submitted"] >= 10 and disturbed["funding"]["funded"] >= 1
    assert comparable(disturbed) == comparable(undisturbed)

    await eventually(lambda: nothing_unpublished(stack))
    await eventually(lambda: every_event_was_applied_once_by_each_consumer(stack))
    await each_accepted_proposal_has_one_outcome(urls, stack, "ALP-FAULTS", disturbed)
    await each_step_after_the_results_was_taken_once(stack, "ALP-FAULTS", disturbed)
    assert dead_letters(stack) == {}


async def eventually(check: Callable[[], Awaitable[None]], within: float = 60.0) -> None:
    """`check` passes within `within` seconds: the last events (results.published, say) may still be on the way
    to their consumers when the flow ends."""
    give_up = time.monotonic() + within
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > give_up:
                raise
        await asyncio.sleep(0.5)


def bound_event_types() -> set[str]:
    """The event types some queue is bound to. project_monitoring also announces steps no service consumes yet
    (grant.signed, project.started, report.submitted, ...): by design such an event waits in the outbox for a
    queue to be bound (RabbitMQ returns it as unroutable) rather than vanish."""
    patterns = [
        pattern
        for definition in SERVICES.values()
        for subscription in definition.subscriptions(
            open_runtime(definition, definition.settings_class(database_url="sqlite+aiosqlite:///:memory:"))
        )
        for pattern in subscription.routing_keys
    ]
    return {t for t in EVENT_MODELS if any(topic_matches(p, t.rsplit(".", 1)[0]) for p in patterns)}


async def nothing_unpublished(stack: Stack) -> None:
    bound = bound_event_types()
    counts: dict[str, int] = {}
    for service, url in stack.database_urls.items():
        rows = await fetch(url, "SELECT event_type FROM outbox WHERE published_at IS NULL")
        waiting = [row["event_type"] for row in rows if row["event_type"] in bound]
        if waiting:
            counts[service] = len(waiting)
    assert counts == {}, f"outbox rows not yet published: {counts}"


async def each_step_after_the_results_was_taken_once(stack: Stack, code: str, results: Results) -> None:
    """However often the flow had to send a request again (an api died under it), each partner was signed or
    declined once, each project started once, each report was submitted once and the money went back once."""
    followed = results["monitoring"]
    assert followed is not None and followed["reserve_funded"]
    url = stack.database_urls["project_monitoring"]
    rows = await fetch(url, "SELECT event_type, envelope::json -> 'data' AS data FROM outbox")
    by_type: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_type[row["event_type"]].append(json.loads(row["data"]) if isinstance(row["data"], str) else row["data"])
    [call] = await fetch(
        stack.database_urls["call_definition"],
        "SELECT DISTINCT envelope::json -> 'data' -> 'call' ->> 'call_id' AS call_id FROM outbox "
        "WHERE envelope::json -> 'data' -> 'call' ->> 'code' = $1",
        code,
    )
    call_id = call["call_id"]
    steps = [d for t in ("grant.signed.v1", "grant.declined.v1") for d in by_type[t] if d["call_id"] == call_id]
    assert Counter(d["partner_id"] for d in steps) == dict.fromkeys({d["partner_id"] for d in steps}, 1)
    started = Counter(d["proposal_id"] for d in by_type["project.started.v1"] if d["call_id"] == call_id)
    assert set(started.values()) == {1} and len(started) == followed["projects"]["started"]
    reports = Counter(
        (d["proposal_id"], d["period"]) for d in by_type["report.submitted.v1"] if d["call_id"] == call_id
    )
    assert set(reports.values()) == {1} and len(reports) == 2 * followed["projects"]["started"]
    assert sum(1 for d in by_type["funds.released.v1"] if d["call_id"] == call_id) == 1


async def each_accepted_proposal_has_one_outcome(
    urls: dict[str, str], stack: Stack, code: str, results: Results
) -> None:
    agency = Tokens()("agency")
    transport = RoutingTransport.for_services(urls)
    async with httpx.AsyncClient(transport=transport, base_url="http://jointcall") as client:
        calls = await all_pages(client, "/call-definition/calls/all", agency, limit=200)
        [call] = [c for c in calls if c["code"] == code]
        proposals = await all_pages(client, f"/proposal-intake/calls/{call['id']}/proposals", agency, limit=200)
        ranking = await all_pages(client, f"/joint-evaluation/calls/{call['id']}/ranking", agency)
    accepted = {p["id"] for p in proposals if p["status"] == "submitted"}
    assert len(accepted) == results["submissions"]["submitted"]

    decided = await fetch(
        stack.database_urls["regional_eligibility"],
        "SELECT envelope::json -> 'data' ->> 'proposal_id' AS proposal_id FROM outbox "
        "WHERE event_type = 'eligibility.decided.v1' AND envelope::json -> 'data' ->> 'call_id' = $1",
        call["id"],
    )
    assert Counter(row["proposal_id"] for row in decided) == dict.fromkeys(accepted, 1)
    lines = Counter(line["proposal_id"] for line in ranking)
    assert lines == dict.fromkeys(accepted, 1)
    assert all(line["status"] for line in ranking)


async def every_event_was_applied_once_by_each_consumer(stack: Stack) -> None:
    """Each consumer's inbox holds exactly the published events its queue is bound to: none missing, and
    (its primary key being the message id) none applied twice."""
    published: list[tuple[str, str]] = []  # (event id, routing key)
    for url in stack.database_urls.values():
        rows = await fetch(url, "SELECT event_id, event_type FROM outbox WHERE published_at IS NOT NULL")
        published += [(row["event_id"], row["event_type"].rsplit(".", 1)[0]) for row in rows]
    for service, definition in SERVICES.items():
        applied: dict[str, set[str]] = defaultdict(set)
        for row in await fetch(stack.database_urls[service], "SELECT consumer, message_id FROM inbox"):
            applied[row["consumer"]].add(row["message_id"])
        settings = definition.settings_class(database_url="sqlite+aiosqlite:///:memory:")
        for subscription in definition.subscriptions(open_runtime(definition, settings)):
            meant = {
                event_id
                for event_id, key in published
                if any(topic_matches(pattern, key) for pattern in subscription.routing_keys)
            }
            assert applied[subscription.queue] == meant, subscription.queue


def dead_letters(stack: Stack) -> dict[str, int]:
    parked: dict[str, int] = {}
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        for definition in SERVICES.values():
            settings = definition.settings_class(database_url="sqlite+aiosqlite:///:memory:")
            for subscription in definition.subscriptions(open_runtime(definition, settings)):
                name = f"{stack.queue_prefix}.{subscription.queue}.dead"
                count = channel.queue_declare(name, passive=True).method.message_count
                if count:
                    parked[name] = count
    finally:
        connection.close()
    return parked


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()
