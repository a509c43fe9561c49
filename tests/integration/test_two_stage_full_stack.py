"""A two-stage call end to end on the full stack: each service's api and worker in its own process, PostgreSQL
and RabbitMQ, the real clock. The scenario is shared with the embedded default (tests/e2e/two_stage_scenario.py)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from services.demo.timeline import RealTimeline
from services.demo.transport import RoutingTransport
from services.registry import SERVICES
from tests.e2e.two_stage_scenario import Windows, check_outcome, run_two_stage_call
from tests.integration.conftest import Stack
from tests.integration.processes import Processes

pytestmark = pytest.mark.integration

# Real instants: enough for three pre-proposals before stage 1 closes, and for stage 1's eligibility, evaluation,
# shortlist and invitations (seconds on a quiet machine, more on a loaded one) before the call's deadline.
WINDOWS = Windows(pre_deadline=timedelta(seconds=30), full_opens=timedelta(seconds=32), deadline=timedelta(seconds=90))


async def workers_running(processes: Processes, within: float = 120.0) -> None:
    """Each worker has said it runs (connected, queues declared): the call's real windows start only then, as a
    loaded machine may take half a minute to boot them."""
    give_up = time.monotonic() + within
    for service in SERVICES:
        log = processes.log_dir / f"worker-{service}.log"
        while not (log.exists() and f"{service} worker running" in log.read_text()):
            assert time.monotonic() < give_up, f"worker {service} did not start:\n{processes.logs()}"
            await asyncio.sleep(0.2)


@pytest.mark.timeout(400)
async def test_a_two_stage_call_from_pre_proposals_to_results_across_processes(
    processes: Processes, stack: Stack
) -> None:
    urls = {service: processes.start_api(service) for service in SERVICES}
    for service in SERVICES:
        processes.start_worker(service)
    await workers_running(processes)
    transport = RoutingTransport.for_services(urls)
    async with httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=30) as client:
        seen = await run_two_stage_call(
            client, RealTimeline(grace=timedelta(seconds=1)), WINDOWS, code=f"ALP-2STAGE-{stack.suffix}", wait_s=60
        )
    check_outcome(seen)
