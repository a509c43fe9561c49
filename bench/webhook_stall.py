"""Another region's write latency with 50 hanging webhook subscribers, against none, in one run (issue 13).

Run: ``.venv/bin/python bench/webhook_stall.py`` (target: the median write latency with the hanging subscribers
within 10% of the run without them, and no 5xx; exits 1 when missed). About a minute.

The embedded default (`jointcall up`: every service in one process, SQLite, the delivery loop as a task beside the
APIs), in process through httpx's ASGI transport. One call with proposals whose partners are in Upper Austria and
Fribourg, past its deadline, every check decided. Fribourg's officers then override their checks back and forth
(each a write: the check, the audit record, the feed and its deliveries); each change of outcome is announced to
Upper Austria too. ROUNDS rounds, each of two phases of WRITES overrides by OFFICERS concurrent officers:
- none: Upper Austria has no subscription;
- hanging: Upper Austria has 50 subscriptions to a server that accepts every connection and never answers
  (read timeout 2 s here, so their attempts time out, are recorded and retried during the phase); deleted at
  its end, and the next round waits for their last attempts to end.
Alternating the phases keeps the machine's drift (a shared machine, a growing database) out of the ratio: the
median of every hanging phase's writes over the median of every none phase's.
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
READ_TIMEOUT_S = 2.0
os.environ.update(
    {
        "JOINTCALL_WEBHOOKS_ALLOW_HTTP": "true",  # the hanging server is local: what an operator allows in development
        "JOINTCALL_WEBHOOKS_ALLOW_LIST": "127.0.0.1/32",
        "JOINTCALL_WEBHOOKS_MAX_PER_REGION": str(HANGING),
        "JOINTCALL_WEBHOOKS_READ_TIMEOUT_S": str(READ_TIMEOUT_S),
        "JOINTCALL_WEBHOOKS_CIRCUIT_FAILURES": "1000",  # keep them hanging, not suspended, for the whole phase
    }
)

from services.embedded import create_embedded_app  # noqa: E402
from services.registry import SERVICES  # noqa: E402
from tests.e2e.test_thin_slice_embedded import close_open_items, submit_when_known, until  # noqa: E402
from tests.helpers import bearer, live_call_body, migrate_in_thread, proposal_body  # noqa: E402

AGENCY, AUSTRIA, FRIBOURG = bearer("agency"), bearer("region:AT-4"), bearer("region:CH-FR")
RE = "/regional-eligibility"


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


async def run(writes: int, proposals: int, rounds: int) -> int:
    short = False
    hanging = Hanging()
    port = await hanging.start()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        for definition in SERVICES.values():
            await migrate_in_thread(definition, definition.settings_class(data_dir=data_dir).database_url)
        app = create_embedded_app(data_dir, retry_delay_ms=100)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jc", timeout=60) as api,
        ):
            call = (
                await api.post(
                    "/call-definition/calls",
                    json=live_call_body("ALP-STALL", deadline=timedelta(seconds=6)),
                    headers=AGENCY,
                )
            ).json()
            await api.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
            ids = [
                (await submit_when_known(api, call["id"], proposal_body(acronym=f"S{n:03d}")))["proposal_id"]
                for n in range(proposals)
            ]
            await until(api, f"{RE}/proposals/{ids[-1]}", lambda b: b["status"] == "checking", within=60)
            for token in (AUSTRIA, FRIBOURG, AGENCY):  # every item decided: Fribourg's overrides change outcomes
                await close_open_items(api, token)
            page: dict[str, Any] = (await api.get(f"{RE}/checks", params={"limit": 500}, headers=FRIBOURG)).json()
            checks = [c["id"] for c in page["items"] if c["automatic_verdict"] != "needs_human"]
            flip = [False] * len(checks)

            await phase(api, checks, writes, flip)  # warm-up
            none: list[float] = []
            hung: list[float] = []
            server_errors = 0
            for round_ in range(rounds):
                # Long enough since the last hanging round for its last attempts to have ended.
                await asyncio.sleep(READ_TIMEOUT_S + 1)
                timings, errors = await phase(api, checks, writes, flip)
                none += timings
                server_errors += errors
                before = hanging.connections
                hooks = []
                for n in range(HANGING):
                    body = {"url": f"http://127.0.0.1:{port}/hook/{n}", "secret": "a-bench-secret-of-some-length"}
                    response = await api.post(f"{RE}/webhooks", json=body, headers=AUSTRIA)
                    assert response.status_code == 201, response.text
                    hooks.append(response.json()["id"])
                await phase(api, checks, OFFICERS, flip)  # an outcome change for Upper Austria: 50 deliveries
                for _ in range(1000):
                    if hanging.connections - before >= HANGING:
                        break
                    await asyncio.sleep(0.01)
                in_flight = hanging.connections - before
                timings, errors = await phase(api, checks, writes, flip)
                hung += timings
                server_errors += errors
                attempts = hanging.connections - before
                for hook in hooks:
                    await api.delete(f"{RE}/webhooks/{hook}", headers=AUSTRIA)
                ratio_ = statistics.median(timings) / statistics.median(none[-writes:])
                print(
                    f"round {round_ + 1}: none median {statistics.median(none[-writes:]):.1f} ms, hanging median "
                    f"{statistics.median(timings):.1f} ms (ratio {ratio_:.3f}); {in_flight} subscribers in flight "
                    f"when it began, {attempts} attempts by its end",
                    flush=True,
                )
                if in_flight < HANGING:
                    print(f"only {in_flight} of {HANGING} subscribers were in flight")
                    short = True
    await hanging.stop()

    ratio = statistics.median(hung) / statistics.median(none)
    print(summary("none", none))
    print(summary(f"{HANGING} hanging subscribers", hung))
    print(f"ratio of medians, hanging / none: {ratio:.3f} (target <= {TARGET:.2f}); 5xx: {server_errors}")
    missed = ratio > TARGET or server_errors > 0 or short
    print("MISSED" if missed else "OK")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=80, help="overrides per phase")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of phases (none, then hanging)")
    parser.add_argument("--proposals", type=int, default=8)
    args = parser.parse_args()
    return asyncio.run(run(args.writes, args.proposals, args.rounds))


if __name__ == "__main__":
    sys.exit(main())
