"""The thin slice on the full stack: each service's api and worker in its own process,
PostgreSQL and RabbitMQ, with a worker SIGKILLed between commit and publish."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from services.registry import SERVICES
from tests.helpers import bearer, live_call_body, partner, proposal_body
from tests.integration.conftest import Stack
from tests.integration.processes import Processes

pytestmark = pytest.mark.integration

AGENCY = bearer("agency")
CONSORTIUM = bearer("consortium:acme")


def poll(method: str, url: str, accept: Any, within: float = 30.0, **kwargs: Any) -> httpx.Response:
    response = None
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        response = httpx.request(method, url, timeout=5, **kwargs)
        if accept(response):
            return response
        time.sleep(0.1)
    raise AssertionError(f"{method} {url} never answered as expected; last: {response and response.text}")


def submit(intake: str, call_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Draft (once proposal_intake knows the call), then submit; the receipt."""
    drafts = f"{intake}/calls/{call_id}/proposals"
    created = poll("POST", drafts, lambda r: r.status_code not in (404, 503), json=body, headers=CONSORTIUM)
    assert created.status_code == 201, created.text
    receipt = httpx.post(f"{intake}/proposals/{created.json()['id']}/submit", headers=CONSORTIUM)
    assert receipt.status_code == 201, receipt.text
    result: dict[str, Any] = receipt.json()
    return result


async def unpublished_events(database_url: str) -> list[str]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await connection.fetch("SELECT event_type FROM outbox WHERE published_at IS NULL")
    finally:
        await connection.close()
    return [row["event_type"] for row in rows]


async def test_thin_slice_across_processes_survives_a_killed_worker(processes: Processes, stack: Stack) -> None:
    urls = {service: processes.start_api(service) for service in SERVICES}
    for service in SERVICES:
        processes.start_worker(service)

    # The call_definition worker dies: the publication commits, but nothing relays it yet.
    processes.kill("worker:call_definition")
    body = live_call_body("ALP-TEST", deadline=timedelta(seconds=12))
    call = httpx.post(f"{urls['call_definition']}/calls", json=body, headers=AGENCY).json()
    published = httpx.post(f"{urls['call_definition']}/calls/{call['id']}/publish", headers=AGENCY)
    assert published.status_code == 200
    await asyncio.sleep(1.0)
    assert await unpublished_events(stack.database_urls["call_definition"]) == ["call.published.v1"]

    # Restarted, it gets the event out (proposal_intake accepts submissions even before it arrives: it
    # back-fills the call from call_definition's API, read-your-writes).
    processes.start_worker("call_definition")
    intake = urls["proposal_intake"]
    eligible = submit(intake, call["id"], proposal_body())
    for _ in range(120):
        if await unpublished_events(stack.database_urls["call_definition"]) == []:
            break
        await asyncio.sleep(0.25)
    assert await unpublished_events(stack.database_urls["call_definition"]) == []
    greedy = proposal_body()
    greedy["partners"].append(partner("Bayern Werk GmbH", "DE-BY", requested="62000.00", costs="100000.00"))
    ineligible = submit(intake, call["id"], greedy)

    # At the deadline the call closes (call_definition's clock), eligibility opens the checks, and
    # each region's officers close their manual items.
    eligibility = urls["regional_eligibility"]
    poll(
        "GET",
        f"{eligibility}/proposals/{eligible['proposal_id']}",
        lambda r: r.status_code == 200 and r.json()["status"] == "checking",
        within=40,
        headers=AGENCY,
    )
    for region in ("AT-4", "CH-FR", "DE-BY"):
        token = bearer(f"region:{region}")
        for check in httpx.get(f"{eligibility}/checks", params={"status": "open"}, headers=token).json()["items"]:
            decided = httpx.post(
                f"{eligibility}/checks/{check['id']}/decision",
                headers=token,
                json={"action": "close", "verdict": "pass", "reason": "documents checked"},
            )
            assert decided.status_code == 200, decided.text

    evaluation = f"{urls['joint_evaluation']}/proposals"
    good = poll(
        "GET",
        f"{evaluation}/{eligible['proposal_id']}",
        lambda r: r.status_code == 200 and r.json()["status"] == "awaiting_evaluation",
        headers=AGENCY,
    )
    assert good.json()["acronym"] == "ALPHA"
    bad = poll(
        "GET",
        f"{evaluation}/{ineligible['proposal_id']}",
        lambda r: r.status_code == 200 and r.json()["status"] == "not_eligible",
        headers=AGENCY,
    )
    assert any("62,000.00 EUR" in reason for reason in bad.json()["eligibility_reasons"])

    checks = httpx.get(
        f"{urls['regional_eligibility']}/proposals/{eligible['proposal_id']}", headers=bearer("region:CH-FR")
    ).json()
    assert {c["region_code"] for c in checks["checks"]} == {"CH-FR"}


async def test_submission_after_the_deadline_is_refused_by_the_server_clock(processes: Processes) -> None:
    urls = {service: processes.start_api(service) for service in ("call_definition", "proposal_intake")}
    for service in ("call_definition", "proposal_intake"):
        processes.start_worker(service)
    deadline = datetime.now(UTC) + timedelta(seconds=6)
    body = live_call_body("ALP-SOON", deadline=timedelta(seconds=6))
    call = httpx.post(f"{urls['call_definition']}/calls", json=body, headers=AGENCY).json()
    httpx.post(f"{urls['call_definition']}/calls/{call['id']}/publish", headers=AGENCY)
    intake = urls["proposal_intake"]
    submit(intake, call["id"], proposal_body())
    draft = httpx.post(f"{intake}/calls/{call['id']}/proposals", json=proposal_body(), headers=CONSORTIUM).json()

    await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.2)
    late = httpx.post(f"{intake}/proposals/{draft['id']}/submit", headers=CONSORTIUM)
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    versions = httpx.get(f"{intake}/proposals/{draft['id']}/versions", headers=CONSORTIUM).json()
    assert versions == []
    mine = httpx.get(f"{urls['proposal_intake']}/calls/{call['id']}/proposals", headers=CONSORTIUM).json()
    assert [p["status"] for p in mine["items"]].count("submitted") == 1


@pytest.mark.timeout(600)  # a whole call on the real clock, then its projects
async def test_after_the_results_on_postgresql_and_rabbitmq(processes: Processes, stack: Stack) -> None:
    """The demo's flow on the full stack, each service's api and worker in its own process: the results are
    published, project_monitoring makes the grants, a region declines one (funds.released), joint_evaluation
    walks the reserve list again (reserve.proposed), the regions confirm and the agency funds it (reserve.funded),
    the reserve project is contracted, every project starts and reports on two periods, accepted by its regions.
    The real clock does not move: the reports come ahead of their periods' end and none is late."""
    from services.demo import RealTimeline, SilentProgress, run_joint_call
    from services.demo.transport import RoutingTransport
    from tests.monitoring_checks import the_funded_projects_were_contracted_and_reported

    urls = {service: processes.start_api(service) for service in SERVICES}
    for service in SERVICES:
        processes.start_worker(service)
    transport = RoutingTransport.for_services(urls)
    async with httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=60) as client:
        try:
            results = await run_joint_call(
                client,
                proposals=30,
                seed=12,  # a grant whose money funds a reserve proposal (as in tests/e2e/test_demo.py)
                timeline=RealTimeline(window=timedelta(seconds=150)),  # room for a loaded machine
                progress=SilentProgress(),
                call_code="ALP-MONITORING",
                concurrency=4,
            )
        except BaseException:
            print(processes.logs())
            raise
        calls = (await client.get("/call-definition/calls/all", headers=AGENCY)).json()["items"]
        [call] = [c for c in calls if c["code"] == "ALP-MONITORING"]
        await the_funded_projects_were_contracted_and_reported(client, call["id"], results)
    monitoring = results["monitoring"]
    assert monitoring is not None and not monitoring["clock_moved"]
    released = await outbox_types(stack.database_urls["project_monitoring"], "funds.released.v1")
    assert released == 1  # one grant fell away, once
    assert await outbox_types(stack.database_urls["joint_evaluation"], "reserve.funded.v1") == 1


async def outbox_types(database_url: str, event_type: str) -> int:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1", event_type)
    finally:
        await connection.close()
    return count
