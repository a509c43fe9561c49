"""Opening the eligibility checks at the deadline: regional_eligibility's handler of the call's close, alone.

    .venv/bin/jointcall demo --data-dir /tmp/demo-data      # once: a whole embedded call, databases kept
    .venv/bin/python bench/open_checks_bench.py /tmp/demo-data [--repeat 3] [--profile] [--top 30]

On a copy of the demo's regional_eligibility SQLite database (the original is left alone), every case goes
back to `awaiting_deadline` with its checks, feed, deliveries and outbox rows removed, then the handler of the
call's close (`open_checks_of_call`, the work of the `call.closed` event) runs once in one transaction on a
clock past the deadline, as the worker runs it: the checks of every proposal, the automatic verdicts, the
feed announcements and the `eligibility.decided` events. Reported: wall and CPU seconds, proposals per
second. --profile runs it under cProfile (process CPU time) and prints the top functions.
"""

from __future__ import annotations

import asyncio
import cProfile
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import copy_database, demo_database_args, print_profile
from sqlalchemy import delete, func, select, update

from services.regional_eligibility.app import SERVICE
from services.regional_eligibility.models import (
    PartnerCheck,
    ProposalCase,
    RegionEvent,
    WebhookDelivery,
    call_copies,
)
from services.regional_eligibility.settings import Settings
from services.regional_eligibility.use_cases.open_checks_of_call import open_checks_of_call
from shared.clock import MovableClock
from shared.events import CallSnapshot
from shared.readmodel import load_call_copy
from shared.service import Runtime, open_runtime


async def reset(runtime: Runtime) -> tuple[CallSnapshot, int]:
    """Every case back to awaiting the deadline, its checks, feed, deliveries and outbox rows removed; the runtime's
    clock (a MovableClock) one second past the call's last deadline. The call and the number of cases."""
    async with runtime.sessions() as session, session.begin():
        await session.execute(delete(WebhookDelivery))
        await session.execute(delete(RegionEvent))
        await session.execute(delete(PartnerCheck))
        await session.execute(delete(runtime.tables.outbox))
        await session.execute(
            update(ProposalCase)
            .where(ProposalCase.status != "withdrawn")
            .values(status="awaiting_deadline", outcome="pending", reasons=[], decided_at=None, decision_version=0)
        )
        call_id = (await session.execute(select(call_copies.c.call_id))).scalar_one()
        call = await load_call_copy(session, call_copies, call_id)
        cases = (await session.execute(select(func.count()).select_from(ProposalCase))).scalar_one()
    assert call is not None and call.configuration is not None
    assert isinstance(runtime.clock, MovableClock)
    runtime.clock.set(max(stage.deadline for stage in call.configuration.stages) + timedelta(seconds=1))
    return call, int(cases)


async def one_run(db_dir: Path, profile: cProfile.Profile | None) -> tuple[int, float, float]:
    settings = Settings(data_dir=db_dir)
    runtime = open_runtime(SERVICE, settings, MovableClock(start=_epoch()))
    try:
        call, cases = await reset(runtime)
        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        async with runtime.sessions() as session, session.begin():
            await open_checks_of_call(session, runtime, call)
        if profile is not None:
            profile.disable()
        return cases, time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await runtime.engine.dispose()


def _epoch() -> datetime:
    return datetime(2000, 1, 1, tzinfo=UTC)


def main() -> int:
    args, source, profile = demo_database_args(__doc__, "regional_eligibility.db", "--repeat", 3)
    with tempfile.TemporaryDirectory(prefix="open-checks-") as tmp:
        for run in range(1, args.repeat + 1):
            copy_database(source, Path(tmp))
            cases, wall, cpu = asyncio.run(one_run(Path(tmp), profile))
            print(f"run {run}: {cases} cases opened in {wall:.2f} s wall, {cpu:.2f} s CPU: {cases / wall:.0f} /s")
    if profile is not None:
        print_profile(profile, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
