"""A two-stage call end to end on the embedded default: the in-process bus, SQLite, the clock jumping past
each deadline. The scenario is shared with the full stack (tests/e2e/two_stage_scenario.py)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from services.demo.timeline import ShiftedTimeline
from shared.clock import ShiftedClock
from tests.e2e.two_stage_scenario import Windows, check_outcome, run_two_stage_call


async def test_a_two_stage_call_from_pre_proposals_to_results_on_the_embedded_default(
    embedded: tuple[httpx.AsyncClient, ShiftedClock],
) -> None:
    client, clock = embedded
    windows = Windows(pre_deadline=timedelta(days=5), full_opens=timedelta(days=10), deadline=timedelta(days=30))
    seen = await run_two_stage_call(client, ShiftedTimeline(clock), windows, code="ALP-2STAGE-E2E", wait_s=20)
    check_outcome(seen)
