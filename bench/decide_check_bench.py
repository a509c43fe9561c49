"""The officers' manual decisions, alone: regional_eligibility's `POST /checks/{id}/decision`, every open item closed.

    .venv/bin/jointcall demo --data-dir /tmp/demo-data      # once: a whole embedded call, databases kept
    .venv/bin/python bench/decide_check_bench.py /tmp/demo-data [--concurrency 1] [--profile] [--top 30]

On a copy of the demo's regional_eligibility SQLite database (the original is left alone), the checks are opened
again as in bench/open_checks_bench.py (every case back to awaiting the deadline, then the handler of the call's
close, on a clock past the deadline). Then regional_eligibility's real app (build_app, its lifespan entered, on
that clock) is called through httpx's ASGITransport: each open item (a check that needs a human) is closed as
`pass` with a reason by its region's token (the agency's for a consortium-level one), proposal by proposal,
`--concurrency` requests in flight; the last item of a case decides it (its `eligibility.decided` event, its
regions' feed). Reported: requests, wall seconds, requests per second, CPU milliseconds per request of the
process (all its threads). --profile runs the requests under cProfile (process CPU time) and prints the top
functions.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from _common import requests_on_a_copy
from open_checks_bench import reset
from sqlalchemy import select

from services.regional_eligibility.app import SERVICE
from services.regional_eligibility.domain.checks import CONSORTIUM, CheckVerdict
from services.regional_eligibility.models import PartnerCheck
from services.regional_eligibility.settings import Settings
from services.regional_eligibility.use_cases.open_checks_of_call import open_checks_of_call
from shared.clock import MovableClock
from shared.service import build_app, open_runtime
from shared.settings import DEV_JWT_SECRET
from shared.tokens import issue_token


async def open_items(settings: Settings, clock: MovableClock) -> list[tuple[int, str]]:
    """The checks opened again, and those that need a human: (id, region), proposal by proposal."""
    runtime = open_runtime(SERVICE, settings, clock)
    try:
        call, _ = await reset(runtime)
        async with runtime.sessions() as session, session.begin():
            await open_checks_of_call(session, runtime, call)
        query = (
            select(PartnerCheck.id, PartnerCheck.region_code)
            .where(PartnerCheck.current.is_(True), PartnerCheck.verdict == CheckVerdict.NEEDS_HUMAN.value)
            .order_by(PartnerCheck.proposal_id, PartnerCheck.id)
        )
        async with runtime.sessions() as session:
            return [(int(check_id), region) for check_id, region in (await session.execute(query)).all()]
    finally:
        await runtime.engine.dispose()


async def run(data_dir: Path, concurrency: int, profile: Any) -> None:
    settings = Settings(data_dir=data_dir)
    clock = MovableClock(start=datetime(2000, 1, 1, tzinfo=UTC))
    items = await open_items(settings, clock)
    app = build_app(SERVICE, settings, clock=clock, broker_check=False)
    tokens: dict[str, dict[str, str]] = {}

    def officer(region: str) -> dict[str, str]:
        if region not in tokens:
            role = "agency" if region == CONSORTIUM else f"region:{region}"
            tokens[region] = {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, role)}"}
        return tokens[region]

    gate = asyncio.Semaphore(concurrency)
    statuses: list[int] = []
    body = {"action": "close", "verdict": "pass", "reason": "checked against the register (bench)"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):

        async def decide(item: tuple[int, str]) -> None:
            check_id, region = item
            async with gate:
                answer = await client.post(f"/checks/{check_id}/decision", json=body, headers=officer(region))
                statuses.append(answer.status_code)

        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        await asyncio.gather(*(decide(item) for item in items))
        if profile is not None:
            profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    bad = sum(1 for status in statuses if status >= 300)
    print(
        f"decisions: {len(items)} in {wall:.2f} s: {len(items) / wall:.0f} requests/s, "
        f"{1000 * cpu / len(items):.2f} ms CPU per request; {bad} answered >= 300"
    )


def main() -> int:
    return requests_on_a_copy(__doc__, "regional_eligibility.db", 1, run)


if __name__ == "__main__":
    raise SystemExit(main())
