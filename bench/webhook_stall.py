"""Another region's write latency with 50 hanging webhook subscribers, against none, in one run (issue 13).

Run: ``.venv/bin/python bench/webhook_stall.py [--answering]`` (target: the median of the per-round ratios of
median write latency, with the hanging subscribers over without them, at most 1.10, and no 5xx; exits 1 when
missed). About six minutes.

The embedded default (`jointcall up`: every service in one process, SQLite, the delivery loop as a task beside the
APIs), in process through httpx's ASGI transport. One call with proposals whose partners are in Upper Austria and
Fribourg, past its deadline, every check decided. Fribourg's officers then override their checks back and forth
(each a write: the check, the audit record, the feed and its deliveries); each change of outcome is announced to
Upper Austria too. ROUNDS rounds, each of two phases of WRITES overrides by OFFICERS concurrent officers:
- none: Upper Austria has no subscription;
- hanging: Upper Austria has 50 subscriptions to a server that accepts every connection and never answers, all
  50 in flight at once (the default read timeout of 10 s, or `--read-timeout 2` for five times the churn);
  deleted at its end, and the next phase waits for their last attempts to end;
- with `--answering`, a third: 50 subscriptions to a server that answers 204 at once (the delivery loop's full
  work beside the writes: what having subscribers costs, told apart from what hanging ones cost).
The design is paired: each round's ratio compares two phases measured a few seconds apart, the order alternates
from round to round (drift within a round weighs on both sides), and the figure is the median of the per-round
ratios, so one round that another process's burst hit cannot decide it. Every round's figures and the load
average are printed (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HANGING, OFFICERS, TARGET = 50, 4, 1.10
os.environ.update(
    {
        "JOINTCALL_WEBHOOKS_ALLOW_HTTP": "true",  # the hanging server is local: what an operator allows in development
        "JOINTCALL_WEBHOOKS_ALLOW_LIST": "127.0.0.1/32",
        "JOINTCALL_WEBHOOKS_MAX_PER_REGION": str(HANGING),
        "JOINTCALL_WEBHOOKS_CIRCUIT_FAILURES": "1000",  # keep them hanging, not suspended, for the whole phase
        "JOINTCALL_WEBHOOKS_MAX_IN_FLIGHT": "64",  # all 50 hanging at once (the default 32 would hold 18 back)
    }
)

from _common import call_with_proposals  # noqa: E402

from services.embedded import create_embedded_app  # noqa: E402
from tests.e2e.test_thin_slice_embedded import close_open_items  # noqa: E402
from tests.helpers import bearer, migrate_all  # noqa: E402

AGENCY, AUSTRIA, FRIBOURG = bearer("agency"), bearer("region:AT-4"), bearer("region:CH-FR")
RE = "/regional-eligibility"


class Answering:
    """Answers every request 204 at once: 50 subscribers that cost the delivery loop its full work."""

    def __init__(self) -> None:
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.requests += 1
                writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                pass
            finally:
                writer.close()

        self.server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


class Hanging:
    """Accepts every connection, reads nothing, never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            self.writers.append(writer)

        self.server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        for writer in self.writers:
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


async def phase(api: httpx.AsyncClient, checks: list[int], writes: int, flip: list[bool]) -> tuple[list[float], int]:
    """`writes` overrides of Fribourg's checks by OFFICERS concurrent officers: latencies (ms) and 5xx count."""
    timings: list[float] = []
    server_errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(writes):
        queue.put_nowait(checks[n % len(checks)])

    async def officer(mine: list[int]) -> None:
        nonlocal server_errors
        for check in mine:
            index = checks.index(check)
            flip[index] = not flip[index]
            body = {"action": "override", "verdict": "fail" if flip[index] else "pass", "reason": "bench override"}
            started = time.perf_counter()
            response = await api.post(f"{RE}/checks/{check}/decision", json=body, headers=FRIBOURG)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code >= 500:
                server_errors += 1
            elif response.status_code != 200:
                raise SystemExit(f"unexpected {response.status_code}: {response.text}")

    # Each officer takes its own checks (no two overrides of one check at once).
    per_officer: list[list[int]] = [[] for _ in range(OFFICERS)]
    for n in range(writes):
        per_officer[(n % len(checks)) % OFFICERS].append(checks[n % len(checks)])
    await asyncio.gather(*(officer(mine) for mine in per_officer))
    return timings, server_errors


def summary(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return f"{name}: {len(ordered)} writes, median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms"


async def subscribe(api: httpx.AsyncClient, port: int) -> list[str]:
    hooks = []
    for n in range(HANGING):
        body = {"url": f"http://127.0.0.1:{port}/hook/{n}", "secret": "a-bench-secret-of-some-length"}
        response = await api.post(f"{RE}/webhooks", json=body, headers=AUSTRIA)
        assert response.status_code == 201, response.text
        hooks.append(response.json()["id"])
    return hooks


async def run(writes: int, proposals: int, rounds: int, read_timeout_s: float, answering_too: bool) -> int:
    short = False
    hanging, answering = Hanging(), Answering()
    port, answering_port = await hanging.start(), await answering.start()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        await migrate_all(data_dir)
        app = create_embedded_app(data_dir, retry_delay_ms=100)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jc", timeout=60) as api,
        ):
            await call_with_proposals(api, "ALP-STALL", timedelta(seconds=6), proposals, "S")
            for token in (AUSTRIA, FRIBOURG, AGENCY):  # every item decided: Fribourg's overrides change outcomes
                await close_open_items(api, token)
            page: dict[str, Any] = (await api.get(f"{RE}/checks", params={"limit": 500}, headers=FRIBOURG)).json()
            checks = [c["id"] for c in page["items"] if c["automatic_verdict"] != "needs_human"]
            flip = [False] * len(checks)

            await phase(api, checks, writes, flip)  # warm-up
            medians: dict[str, list[float]] = {"none": [], "hanging": [], "answering": []}
            every: dict[str, list[float]] = {"none": [], "hanging": [], "answering": []}
            server_errors = 0

            async def measure(kind: str) -> None:
                nonlocal server_errors, short
                # The same idle wait before every phase, whatever came before it: long enough for a hanging
                # phase's last attempts to end (its read timeout), and no phase is the only one after a pause.
                await asyncio.sleep(read_timeout_s + 1)
                before = hanging.connections
                hooks: list[str] = []
                if kind != "none":
                    hooks = await subscribe(api, port if kind == "hanging" else answering_port)
                if kind == "hanging":
                    await phase(api, checks, OFFICERS, flip)  # an outcome change for Upper Austria: 50 deliveries
                    for _ in range(1000):
                        if hanging.connections - before >= HANGING:
                            break
                        await asyncio.sleep(0.01)
                    if hanging.connections - before < HANGING:
                        print(f"only {hanging.connections - before} of {HANGING} subscribers were in flight")
                        short = True
                timings, errors = await phase(api, checks, writes, flip)
                server_errors += errors
                every[kind] += timings
                medians[kind].append(statistics.median(timings))
                for hook in hooks:
                    await api.delete(f"{RE}/webhooks/{hook}", headers=AUSTRIA)

            for round_ in range(rounds):
                # Paired, and the order alternates (none first, then hanging first) so that drift within a
                # round (a growing database, another process's burst) weighs on both sides alike.
                order = ["none", "hanging"] if round_ % 2 == 0 else ["hanging", "none"]
                if answering_too:
                    order.append("answering")
                for kind in order:
                    await measure(kind)
                line = (
                    f"round {round_ + 1} ({' then '.join(order)}): none {medians['none'][-1]:.1f} ms, hanging "
                    f"{medians['hanging'][-1]:.1f} ms (ratio {medians['hanging'][-1] / medians['none'][-1]:.3f})"
                )
                if answering_too:
                    line += (
                        f", answering {medians['answering'][-1]:.1f} ms "
                        f"(ratio {medians['answering'][-1] / medians['none'][-1]:.3f})"
                    )
                print(line + f"; load average {os.getloadavg()[0]:.2f}", flush=True)
    await hanging.stop()
    await answering.stop()

    ratios = [h / n for h, n in zip(medians["hanging"], medians["none"], strict=True)]
    ratio = statistics.median(ratios)
    print(summary("none", every["none"]))
    print(summary(f"{HANGING} hanging subscribers", every["hanging"]))
    if answering_too:
        print(summary(f"{HANGING} answering subscribers", every["answering"]))
        answered = statistics.median(a / n for a, n in zip(medians["answering"], medians["none"], strict=True))
        print(f"median per-round ratio, answering / none: {answered:.3f} (not a target: the full delivery work)")
    print(f"per-round ratios, hanging / none: {', '.join(f'{r:.3f}' for r in ratios)}")
    print(f"median per-round ratio, hanging / none: {ratio:.3f} (target <= {TARGET:.2f}); 5xx: {server_errors}")
    missed = ratio > TARGET or server_errors > 0 or short
    print("MISSED" if missed else "OK")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=120, help="overrides per phase")
    parser.add_argument(
        "--read-timeout", type=float, default=10.0, help="JOINTCALL_WEBHOOKS_READ_TIMEOUT_S (10: the default)"
    )
    parser.add_argument("--rounds", type=int, default=9, help="pairs of phases (none and hanging, alternating order)")
    parser.add_argument("--answering", action="store_true", help="a third phase per round: 50 that answer at once")
    parser.add_argument("--proposals", type=int, default=8)
    args = parser.parse_args()
    os.environ["JOINTCALL_WEBHOOKS_READ_TIMEOUT_S"] = str(args.read_timeout)  # read when the app is created
    print(f"read timeout {args.read_timeout} s, {args.writes} writes per phase, {args.rounds} rounds", flush=True)
    return asyncio.run(run(args.writes, args.proposals, args.rounds, args.read_timeout, args.answering))


if __name__ == "__main__":
    sys.exit(main())
