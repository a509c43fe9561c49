"""Render time of the secretariat's deadline dashboard for a call of 5,000 proposals, on the embedded default or
the full stack (target: p95 under 300 ms; the script exits 1 when it is missed).

Run: ``.venv/bin/python bench/dashboard_page.py [--proposals 5000] [--rounds 40] [--screenshot FILE.png]``
or ``.venv/bin/python bench/dashboard_page.py --full-stack [--keep | --reuse NAME] [--clients 6] [--rounds 40]``
(``full_stack`` below says how that one works: the real clock, the deadline extended while the set-up runs).

The call is made the real way, through the APIs, on a clock the script moves (the embedded default on a
MovableClock): the Alpine call is published, opening a moment before the clock's start and closing 30 days later;
then, in the order of their moments, 5,000 consortia start drafts (more of them as the deadline nears), a third of
them pre-check theirs, most submit (late, as consortia do), a fifth of those submit again, one in ten drafts with a
single partner is refused for the consortium rules, and a few withdraw. Partners: 2 to 5 from the 11 Alpine
regions, some asking more than their region's funding rate allows (a regional warning). The clock stops three hours
before the deadline; one signed-in agency loads the dashboard page `--rounds` times, in process (httpx's ASGI
transport: the server's work without a network), and the htmx fragment as often; then the clock passes the
deadline, 50 late submissions are refused, and the page is timed again, closed. Each request is timed from sending
to the last byte. With `--screenshot`, the open page is photographed in Debian's Chromium (served by uvicorn).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import CPU, percentile, timed, uptime

from services.embedded import create_embedded_app
from services.registry import SERVICES
from shared.clock import MovableClock
from tests.helpers import bearer, live_call_body, migrate_all, partner, proposal_body
from tests.portal.test_portal_pages import sign_in

AGENCY = bearer("agency")
REGIONS = ["AT-4", "AT-5", "DE-BY", "DE-BW", "IT-21", "IT-25", "IT-32", "IT-34", "SI", "FR-BFC", "CH-FR"]
WINDOW = timedelta(days=30)
STOP_BEFORE_DEADLINE = timedelta(hours=3)
TARGET_MS = 300.0


def body_of(n: int, rng: random.Random, *, alone: bool = False) -> dict[str, Any]:
    count = 1 if alone else rng.choice([2, 2, 2, 3, 3, 3, 4, 4, 5])
    regions = rng.sample(REGIONS, min(count, len(REGIONS)))
    partners = []
    for number, region in enumerate(regions):
        costs = 200000
        # Most ask half of their costs; some more, which their region's funding rate may not allow.
        requested = costs // 2 if rng.random() < 0.8 else int(costs * rng.uniform(0.55, 0.7))
        partners.append(
            partner(
                f"Org {n} {number}",
                region,
                role="coordinator" if number == 0 else "partner",
                currency="CHF" if region == "CH-FR" else "EUR",
                costs=f"{costs}.00",
                requested=f"{requested}.00",
            )
        )
    return proposal_body(*partners, acronym=f"P{n:05d}")


Step = tuple[datetime, int, str]  # (moment, proposal number, what: draft | precheck | submit | withdraw)


def plan(proposals: int, opens: datetime, last: datetime, rng: random.Random) -> tuple[list[Step], set[int]]:
    """Every consortium's steps in the order of their moments, and the numbers of the single-partner drafts."""
    span = (last - opens).total_seconds()
    steps: list[Step] = []
    alone = set()
    for n in range(proposals):
        drafted = opens + timedelta(seconds=span * rng.random() ** 0.6)  # more drafts as the deadline nears
        steps.append((drafted, n, "draft"))
        remaining = (last - drafted).total_seconds()
        if rng.random() < 0.1:
            alone.add(n)
        if rng.random() < 0.33 or n in alone:
            steps.append((drafted + timedelta(seconds=remaining * rng.random() * 0.3), n, "precheck"))
        roll = rng.random()
        if roll < 0.03:
            steps.append((drafted + timedelta(seconds=remaining * rng.random()), n, "withdraw"))
        elif roll < 0.88 or n in alone:
            first = drafted + timedelta(seconds=remaining * rng.random() ** 0.25)  # late, as consortia are
            steps.append((first, n, "submit"))
            if rng.random() < 0.2:
                steps.append((first + (last - first) * rng.random(), n, "submit"))
    steps.sort()
    return steps, alone


async def take_step(
    client: httpx.AsyncClient, call_id: str, n: int, what: str, ids: dict[int, str], body: dict[str, Any]
) -> int:
    """One consortium's step through intake's API (`body` is its draft's, used by a draft); the answer's status."""
    token = bearer(f"consortium:applicant-{n}")
    if what == "draft":
        answer = await client.post(f"/proposal-intake/calls/{call_id}/proposals", json=body, headers=token)
        assert answer.status_code == 201, answer.text
        ids[n] = answer.json()["id"]
        return 201
    if what == "precheck":
        return (await client.get(f"/proposal-intake/proposals/{ids[n]}/precheck", headers=token)).status_code
    if what == "submit":
        return (await client.post(f"/proposal-intake/proposals/{ids[n]}/submit", headers=token)).status_code
    reason = {"reason": "not this year"}
    return (await client.post(f"/proposal-intake/proposals/{ids[n]}/withdraw", json=reason, headers=token)).status_code


async def photographed(app: Any, path: str, target: Path) -> None:
    """The page as Chromium shows it (signed in as the agency), its lifespan already running here."""
    import uvicorn
    from playwright.async_api import async_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn sets a flag; it has no event to wait for)
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        async with async_playwright() as playwright:
            chromium = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = await (await chromium.new_context(viewport={"width": 1280, "height": 900})).new_page()
            await page.goto(url + "/sign-in")
            await page.select_option("#role", "agency")
            await page.click("main button[type=submit]")
            await page.wait_for_load_state()
            await page.goto(url + path)
            await page.screenshot(path=str(target), full_page=True)
            await chromium.close()
    finally:
        server.should_exit = True
        await serving
    print(f"screenshot: {target}")


def report(name: str, times: list[float]) -> float:
    p95 = percentile(times, 0.95)
    print(
        f"{name:>30}: p50 {statistics.median(times):6.0f} ms  p95 {p95:6.0f} ms  max {max(times):6.0f} ms"
        f"  ({len(times)} requests; process CPU {CPU.get(name, 0):.0f} ms per request, the relays' polling too)"
    )
    return p95


async def main(proposals: int, rounds: int, screenshot: Path | None) -> int:
    print("uptime before:", uptime())
    rng = random.Random(17)
    start = datetime.now(UTC).replace(microsecond=0)
    clock = MovableClock(start)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        await migrate_all(data_dir)
        app = create_embedded_app(data_dir, clock=clock, retry_delay_ms=100)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://jc", timeout=120) as client,
        ):
            body = live_call_body("ALP-DASH-5K", now=start, opened=timedelta(minutes=1), deadline=WINDOW)
            call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
            published = await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
            assert published.status_code == 200, published.text
            deadline = datetime.fromisoformat(body["stages"][-1]["deadline"])
            steps, alone = plan(proposals, start, deadline - STOP_BEFORE_DEADLINE, rng)
            ids: dict[int, str] = {}
            answers: dict[str, int] = {}
            began = time.perf_counter()
            for moment, n, what in steps:
                clock.set(max(clock.now(), moment))
                body = body_of(n, rng, alone=n in alone) if what == "draft" else {}
                status = await take_step(client, call["id"], n, what, ids, body)
                answers[f"{what} {status}"] = answers.get(f"{what} {status}", 0) + 1
            print(f"set-up: {len(steps)} requests for {proposals} proposals in {time.perf_counter() - began:.0f} s")
            print("  answers:", ", ".join(f"{key}: {n}" for key, n in sorted(answers.items())))

            api = f"/proposal-intake/calls/{call['id']}/dashboard"
            seen = (await client.get(api, headers=AGENCY)).json()
            print(f"  dashboard: {seen['proposals']}, refusals {seen['refusals']['total']}")
            times = []
            cpu = time.process_time()
            for _ in range(10):
                began = time.perf_counter()
                await client.get(api, headers=AGENCY)
                times.append((time.perf_counter() - began) * 1000)
            cpu_ms = (time.process_time() - cpu) * 100
            print(
                f"{'GET .../dashboard (API alone)':>30}: median {statistics.median(times):6.0f} ms, CPU {cpu_ms:.0f} ms"
            )
            await sign_in(client, "agency", "")
            page = f"/secretariat/calls/{call['id']}/dashboard"
            await timed(client, page, 3)  # warm-up
            figures = {
                "page, open": await timed(client, page, rounds, name="page, open"),
                "htmx fragment, open": await timed(client, page + "/live", rounds, name="htmx fragment, open"),
            }
            size = len((await client.get(page)).content)
            if screenshot is not None:
                await photographed(app, page, screenshot)

            clock.set(deadline + timedelta(minutes=1))
            late = [n for n in ids if n in alone or rng.random() < 0.01][:50]
            for n in late:
                refused = await client.post(
                    f"/proposal-intake/proposals/{ids[n]}/submit", headers=bearer(f"consortium:applicant-{n}")
                )
                assert refused.status_code in (409, 422), refused.text
            figures["page, closed"] = await timed(client, page, rounds, status=200, name="page, closed")
            print(f"page size {size // 1024} KB; late submissions refused: {len(late)}")
            worst = max(report(name, values) for name, values in figures.items())
    met = worst < TARGET_MS
    print(f"target p95 < {TARGET_MS:.0f} ms: {'met' if met else 'MISSED'} (worst p95 {worst:.0f} ms)")
    print("uptime after:", uptime())
    return 0 if met else 1


# --- the full stack ------------------------------------------------------------------------------------


def full_stack(args: argparse.Namespace) -> bool:
    """The dashboard on the full stack (bench/page_stack.py: PostgreSQL and RabbitMQ, a process per service and
    worker, the portal apart, fresh copies of the set-up databases, `--keep` and `--reuse`), timed from this client
    over HTTP. Every process reads the real clock, so the call's window is real time: it opens as the set-up starts
    and its deadline is extended (a deadline extension through call_definition's API, as an agency does) while the
    set-up runs, a minute or two ahead. A measuring run measures the open page if the call is still open, waits for
    the deadline, has 50 late submissions refused and measures the closed page, then again once the stack is calm
    (closing the call sets it to work); a `--reuse` run comes after the deadline (the closed page only)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from page_stack import measured_on_full_stack

    def measure(run: Any, portal_url: str, meter: Any) -> Any:
        return _measure_full_stack(run, portal_url, args.rounds, meter)

    def fill(seed: Any) -> Any:
        return _fill_full_stack(seed, args.proposals, args.clients)

    return measured_on_full_stack(args, "dashboard-page", fill, measure)


def _client(stack: Any) -> httpx.AsyncClient:
    """A client of every service's api, by their path prefixes (the demo's routing transport)."""
    from services.demo.transport import RoutingTransport

    transport = RoutingTransport.for_services({name: stack.url(name) for name in SERVICES})
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    return httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=120, limits=limits)


async def _extend(client: httpx.AsyncClient, call_id: str, deadline: datetime, ahead: timedelta) -> datetime:
    """The call's deadline moved to `ahead` from now when it is nearer than half of that (the new deadline)."""
    now = datetime.now(UTC)
    if deadline - now > ahead / 2:
        return deadline
    moved = (now + ahead).replace(microsecond=0)
    amendment = {"kind": "deadline_extension", "deadline": moved.isoformat(), "reason": "more time for consortia"}
    answer = await client.post(f"/call-definition/calls/{call_id}/amendments", json=amendment, headers=AGENCY)
    assert answer.status_code in (200, 201), answer.text
    return moved


async def _fill_full_stack(stack: Any, proposals: int, clients: int) -> None:
    """The call and its proposals through the APIs, on the real clock: `clients` consortia's clients at once, each
    taking its consortia's steps in the plan's order, while the deadline is extended ahead of them."""
    rng = random.Random(17)
    ahead = timedelta(seconds=150)
    async with _client(stack) as client:
        start = datetime.now(UTC).replace(microsecond=0)
        body = live_call_body("ALP-DASH-5K", now=start, opened=timedelta(minutes=1), deadline=ahead)
        call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
        published = await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
        assert published.status_code == 200, published.text
        deadline = datetime.fromisoformat(body["stages"][-1]["deadline"])
        for _ in range(600):  # intake learns the call from the bus
            if (await client.get(f"/proposal-intake/calls/{call['id']}/dashboard", headers=AGENCY)).status_code == 200:
                break
            await asyncio.sleep(0.1)
        steps, alone = plan(proposals, start, start + WINDOW, rng)
        bodies = {n: body_of(n, rng, alone=n in alone) for _, n, what in steps if what == "draft"}
        ids: dict[int, str] = {}
        answers: dict[str, int] = {}
        done = 0
        began = time.perf_counter()

        async def consortia(share: int) -> None:
            nonlocal done
            for _, n, what in steps:
                if n % clients == share:
                    status = await take_step(client, call["id"], n, what, ids, bodies.get(n, {}))
                    answers[f"{what} {status}"] = answers.get(f"{what} {status}", 0) + 1
                    done += 1

        async def extender() -> None:
            nonlocal deadline
            while True:
                deadline = await _extend(client, call["id"], deadline, ahead)
                await asyncio.sleep(5)

        extending = asyncio.create_task(extender())
        try:
            await asyncio.gather(*(consortia(share) for share in range(clients)))
        finally:
            extending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await extending
        seconds = time.perf_counter() - began
        print(
            f"set-up: {len(steps)} requests for {proposals} proposals in {seconds:.0f} s ({len(steps) / seconds:.0f}/s)"
        )
        print("  answers:", ", ".join(f"{key}: {n}" for key, n in sorted(answers.items())), flush=True)
        await _extend(client, call["id"], deadline, ahead)  # a measuring run right after finds the call open


async def _measure_full_stack(run: Any, portal_url: str, rounds: int, meter: Any) -> bool:
    import asyncpg  # type: ignore[import-untyped]
    from page_stack import cpu_per_request, one_value
    from pipeline_bench import wait_drained

    call_id = str(await one_value(run.dsn("call_definition"), "SELECT id FROM calls"))
    figures: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=portal_url, timeout=120) as page_client, _client(run) as client:
        api = f"/proposal-intake/calls/{call_id}/dashboard"
        page = f"/secretariat/calls/{call_id}/dashboard"
        await sign_in(page_client, "agency", "")

        async def measured(name: str, target: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
            with meter() as used:
                started = time.perf_counter()
                times = []
                for _ in range(rounds):
                    begin = time.perf_counter()
                    answer = await target.get(path, headers=headers)
                    times.append((time.perf_counter() - begin) * 1000)
                    assert answer.status_code == 200, answer.text[:500]
                wall = time.perf_counter() - started
            figures[name] = times
            labels = ("api:proposal_intake", "portal", "postgres: this run's sessions")
            notes[name] = cpu_per_request(used, labels, wall, rounds)

        async def state() -> dict[str, Any]:
            answer: dict[str, Any] = (await client.get(api, headers=AGENCY)).json()
            return answer

        seen = await state()
        deadline = datetime.fromisoformat(seen["deadline"])
        print(f"dashboard: {seen['status']}, {seen['proposals']}, refusals {seen['refusals']['total']}", flush=True)
        if seen["status"] == "open" and deadline - datetime.now(UTC) > timedelta(seconds=45):
            for _ in range(3):  # warm-up
                await page_client.get(page)
            await measured("API alone, open", client, api, AGENCY)
            await measured("page, open", page_client, page, {})
            await measured("htmx fragment, open", page_client, page + "/live", {})
            print(f"page size {len((await page_client.get(page)).content) // 1024} KB", flush=True)
        else:
            print("the call's deadline has passed (the real clock): the open page cannot be measured", flush=True)
        waited = max(0.0, (deadline - datetime.now(UTC)).total_seconds())
        print(f"waiting {waited:.0f} s for the deadline", flush=True)
        await asyncio.sleep(waited + 2)
        for _ in range(600):  # the call closes on call_definition's clock job; intake learns it from the bus
            if (seen := await state())["status"] != "open":
                break
            await asyncio.sleep(0.2)
        print(f"dashboard: {seen['status']}", flush=True)
        connection = await asyncpg.connect(run.dsn("proposal_intake"))
        try:
            rows = await connection.fetch(
                "SELECT id, applicant_id FROM proposals WHERE status = 'draft' ORDER BY applicant_id LIMIT 50"
            )
        finally:
            await connection.close()
        for row in rows:
            refused = await client.post(
                f"/proposal-intake/proposals/{row['id']}/submit", headers=bearer(f"consortium:{row['applicant_id']}")
            )
            assert refused.status_code in (409, 422), refused.text
        print(f"late submissions refused: {len(rows)}", flush=True)
        for _ in range(3):  # warm-up
            await page_client.get(page)
        await measured("API alone, closed", client, api, AGENCY)
        await measured("page, closed", page_client, page, {})
        # Closing the call sets the stack to work (regional_eligibility opens every submitted proposal's checks):
        # the figures above share the machine with it; these come once every outbox and queue is empty.
        drained = await wait_drained(run)
        print(f"drained after the deadline: {drained}", flush=True)
        await measured("API alone, closed, calm", client, api, AGENCY)
        await measured("page, closed, calm", page_client, page, {})
    for name, times in figures.items():
        print(
            f"{name:>22}: p50 {statistics.median(times):6.0f} ms  p95 {percentile(times, 0.95):6.0f} ms"
            f"  max {max(times):6.0f} ms  ({len(times)} requests; {notes[name]})",
            flush=True,
        )
    pages = [percentile(times, 0.95) for name, times in figures.items() if not name.startswith("API")]
    worst = max(pages)
    print(f"target p95 < {TARGET_MS:.0f} ms: {'met' if worst < TARGET_MS else 'MISSED'} (worst p95 {worst:.0f} ms)")
    return worst < TARGET_MS


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--screenshot", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=6, help="full stack: consortia's clients at once (set-up)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from page_stack import add_arguments

    add_arguments(parser)
    arguments = parser.parse_args()
    if arguments.full_stack:
        sys.exit(0 if full_stack(arguments) else 1)
    sys.exit(asyncio.run(main(arguments.proposals, arguments.rounds, arguments.screenshot)))
