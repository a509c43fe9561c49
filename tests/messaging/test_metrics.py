"""The metrics the alerts watch are exported, with the labels the alert rules use."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import REGISTRY

from services.call_definition.models import messaging
from services.registry import SERVICES
from shared.clock import MovableClock
from shared.events import CallPublished, Envelope
from shared.messaging.bus import Subscription, run_handler
from shared.messaging.inprocess import InProcessBus
from shared.messaging.outbox import emit
from shared.service import Worker, open_runtime
from tests.conftest import ServiceClient
from tests.helpers import call_published_envelope, migrate_in_thread, published_call


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_http_latency_is_recorded_by_route_template(service_client: ServiceClient) -> None:
    client, _ = await service_client("call_definition")
    labels = {"service": "call_definition", "method": "GET", "route": "/calls/{call_id}", "status": "404"}
    before = sample("jointcall_http_request_duration_seconds_count", **labels)
    await client.get("/calls/00000000-0000-0000-0000-000000000000")
    assert sample("jointcall_http_request_duration_seconds_count", **labels) == before + 1
    exposed = (await client.get("/metrics")).text
    assert "jointcall_http_request_duration_seconds_bucket" in exposed


async def test_handler_outcomes_and_failures_are_counted(clock: MovableClock) -> None:
    envelope = call_published_envelope(published_call(clock), clock)

    async def failing(_: Envelope) -> None:
        raise RuntimeError("boom")

    queue = "jointcall.proposal_intake.calls"
    before = sample(
        "jointcall_handler_failures_total", service="proposal_intake", queue=queue, event_type="call.published.v1"
    )
    await run_handler(failing, envelope, attempt=1, max_attempts=3, queue=queue)
    assert (
        sample(
            "jointcall_handler_failures_total", service="proposal_intake", queue=queue, event_type="call.published.v1"
        )
        == before + 1
    )
    assert sample("jointcall_messages_handled_total", service="proposal_intake", queue=queue, outcome="retry") >= 1


async def test_worker_reports_outbox_backlog_and_age(tmp_path: Path, clock: MovableClock) -> None:
    definition = SERVICES["call_definition"]
    settings = definition.settings_class(data_dir=tmp_path)
    await migrate_in_thread(definition, settings.database_url)
    runtime = open_runtime(definition, settings, clock)
    bus = InProcessBus(tmp_path / "bus.db", clock=clock)

    async def ignore(_: Envelope) -> None:
        return None

    bus.subscribe(Subscription("someone.calls", ("call.*",), ignore))
    worker = Worker(definition, runtime, bus)
    async with runtime.sessions() as session, session.begin():
        await emit(session, messaging, CallPublished(call=published_call(clock)), source="t", subject="s", clock=clock)
    from datetime import timedelta

    clock.advance(timedelta(seconds=90))
    stop = asyncio.Event()
    task = asyncio.create_task(worker.observe(stop, interval_s=0.05))
    await asyncio.sleep(0.2)
    stop.set()
    await task
    assert sample("jointcall_outbox_backlog", service="call_definition") == 1
    assert sample("jointcall_outbox_oldest_age_seconds", service="call_definition") == 90
    await runtime.engine.dispose()
