"""Webhooks to a real local HTTP receiver: signed, retried with backoff after failures, in order."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.regional_eligibility.domain.webhooks import backoff
from services.regional_eligibility.models import RegionEvent, WebhookDelivery
from services.regional_eligibility.use_cases.deliver_webhooks import Sender, deliver_due, sender_for
from shared.clock import MovableClock
from shared.webhooks import verify
from tests.api.test_regional_eligibility_api import AUSTRIA, FRIBOURG, close_manual_items, closed_call_with
from tests.conftest import ServiceClient

SECRET = "a-back-office-secret-of-some-length"


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers here listen on loopback over plain http: what an operator allows for development only."""
    monkeypatch.setenv("JOINTCALL_WEBHOOKS_ALLOW_HTTP", "true")
    monkeypatch.setenv("JOINTCALL_WEBHOOKS_ALLOW_LIST", "127.0.0.1/32")


@asynccontextmanager
async def sending(app: FastAPI) -> AsyncIterator[Sender]:
    """The delivery loop's sender, with the longest jitter (each wait is then exactly backoff(n, 1.0))."""
    async with sender_for(app.state.runtime) as sender:
        sender.jitter = lambda: 1.0
        yield sender


@dataclass
class Receiver:
    url: str
    failures_left: int = 0
    accepted: list[int] = field(default_factory=list)
    refused: int = 0
    forged: int = 0


@pytest.fixture
async def receiver(clock: MovableClock) -> AsyncIterator[Receiver]:
    """A real HTTP server on loopback; it checks signatures against the test's clock."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state = Receiver(url=f"http://127.0.0.1:{port}/hook")

    async def hook(request: Request) -> Response:
        body = await request.body()
        if not verify(SECRET, dict(request.headers.items()) | _canonical(request), body, now=clock.now().timestamp()):
            state.forged += 1
            return Response(status_code=401)
        if state.failures_left:
            state.failures_left -= 1
            state.refused += 1
            return Response(status_code=503)
        state.accepted.append(int(request.headers["x-jointcall-event-id"]))
        return Response(status_code=204)

    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", hook, methods=["POST"])]), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield state
    server.should_exit = True
    await task


def _canonical(request: Request) -> dict[str, str]:
    """Starlette lower-cases header names; the verifier reads them as documented."""
    return {name: request.headers.get(name, "") for name in ("X-Jointcall-Timestamp", "X-Jointcall-Signature")}


async def test_webhooks_are_signed_retried_and_ordered(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver
) -> None:
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post("/webhooks", json={"url": receiver.url, "secret": SECRET}, headers=AUSTRIA)
    assert subscribed.status_code == 201
    await closed_call_with(app, clock)  # checks.opened for Upper Austria
    await close_manual_items(client, AUSTRIA)  # no outcome yet: Fribourg still has to decide
    receiver.failures_left = 2
    runtime = app.state.runtime

    async with sending(app) as sender:
        assert await deliver_due(runtime, sender) == 1  # first attempt: 503
        assert await deliver_due(runtime, sender) == 0  # backing off: nothing due
        clock.advance(backoff(1, 1.0))
        assert await deliver_due(runtime, sender) == 1  # second attempt: 503
        clock.advance(backoff(2, 1.0))
        assert await deliver_due(runtime, sender) == 1  # delivered
        assert await deliver_due(runtime, sender) == 0

    feed = (await client.get("/feed", headers=AUSTRIA)).json()["items"]
    assert receiver.accepted == [event["id"] for event in feed]
    assert (receiver.refused, receiver.forged) == (2, 0)
    log = (await client.get(f"/webhooks/{subscribed.json()['id']}/deliveries", headers=AUSTRIA)).json()["items"]
    assert [(d["status"], d["attempts"], d["last_status_code"], d["last_outcome"]) for d in log] == [
        ("delivered", 3, 204, "delivered")
    ]


async def test_a_deleted_subscription_receives_nothing_more_and_its_log_says_so(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver
) -> None:
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post("/webhooks", json={"url": receiver.url, "secret": SECRET}, headers=AUSTRIA)
    hook = f"/webhooks/{subscribed.json()['id']}"
    await closed_call_with(app, clock)  # checks.opened: pending for the subscription
    assert (await client.delete(hook, headers=AUSTRIA)).status_code == 204
    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)  # outcome.decided: in the feed, not for the deleted hook

    async with sending(app) as sender:
        assert await deliver_due(app.state.runtime, sender) == 0
    assert receiver.accepted == []
    assert len((await client.get("/feed", headers=AUSTRIA)).json()["items"]) == 2
    log = (await client.get(f"{hook}/deliveries", headers=AUSTRIA)).json()["items"]
    assert [(d["status"], d["attempts"]) for d in log] == [("cancelled", 0)]


async def test_a_delivery_queued_while_the_subscription_was_deleted_is_not_sent(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver
) -> None:
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post("/webhooks", json={"url": receiver.url, "secret": SECRET}, headers=AUSTRIA)
    await closed_call_with(app, clock)
    assert (await client.delete(f"/webhooks/{subscribed.json()['id']}", headers=AUSTRIA)).status_code == 204
    runtime = app.state.runtime
    async with runtime.sessions() as session, session.begin():
        # What an announce that read the subscription just before the delete committed leaves behind.
        event = RegionEvent(
            region_code="AT-4", type="checks.opened", proposal_id="p", payload={}, created_at=clock.now()
        )
        session.add(event)
        await session.flush()
        session.add(
            WebhookDelivery(
                subscription_id=subscribed.json()["id"],
                event_id=event.id,
                status="pending",
                attempts=0,
                next_attempt_at=clock.now(),
            )
        )
    async with sending(app) as sender:
        assert await deliver_due(runtime, sender) == 0
    assert receiver.accepted == []


def test_signatures_reject_tampering_and_replays() -> None:
    from shared.webhooks import signed_headers

    body = b'{"id":1}'
    headers = signed_headers(SECRET, 1, int(time.time()), body)
    assert verify(SECRET, headers, body, now=time.time())
    assert not verify(SECRET, headers, b'{"id":2}', now=time.time())
    assert not verify("another-secret-entirely-123", headers, body, now=time.time())
    assert not verify(SECRET, headers, body, now=time.time() + 301)
