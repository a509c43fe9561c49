"""Webhooks to a real local HTTP receiver: signed, retried with backoff after failures, in order."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import uvicorn
from fastapi import FastAPI
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.regional_eligibility.domain.webhooks import backoff
from services.regional_eligibility.models import RegionEvent, WebhookDelivery
from services.regional_eligibility.use_cases.deliver_webhooks import Sender, deliver_due, deliver_webhooks, sender_for
from shared.clock import MovableClock
from shared.webhooks import Resolver, verify
from tests.api.test_regional_eligibility_api import AGENCY, AUSTRIA, FRIBOURG, close_manual_items, closed_call_with
from tests.conftest import ServiceClient

SECRET = "a-back-office-secret-of-some-length"
SERVICE = "regional_eligibility"
BOTH_DATABASES = pytest.mark.parametrize("database_backend", ["sqlite", "postgresql"])


@pytest.fixture
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
    port: int
    failures_left: int = 0
    accepted: list[int] = field(default_factory=list)
    refused: int = 0
    forged: int = 0
    answer: int | None = None  # a status to answer every request with (e.g. a redirect)
    hosts: list[str] = field(default_factory=list)
    redirected_to: int = 0


@pytest.fixture
async def receiver(clock: MovableClock, loopback_allowed: None) -> AsyncIterator[Receiver]:
    """A real HTTP server on loopback; it checks signatures against the test's clock."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    state = Receiver(url=f"http://127.0.0.1:{port}/hook", port=port)

    async def hook(request: Request) -> Response:
        body = await request.body()
        state.hosts.append(request.headers.get("host", ""))
        if state.answer is not None:
            return Response(status_code=state.answer, headers={"Location": f"http://127.0.0.1:{port}/other"})
        if not verify(SECRET, dict(request.headers.items()) | _canonical(request), body, now=clock.now().timestamp()):
            state.forged += 1
            return Response(status_code=401)
        if state.failures_left:
            state.failures_left -= 1
            state.refused += 1
            return Response(status_code=503)
        state.accepted.append(int(request.headers["x-jointcall-event-id"]))
        return Response(status_code=204)

    async def other(request: Request) -> Response:
        state.redirected_to += 1
        return Response(status_code=204)

    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/other", other, methods=["GET", "POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
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


@BOTH_DATABASES
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


# --- the rules of where a webhook may go (issue 13, SSRF) ------------------------------------------------


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production rules: https only, no allow-list."""
    for name in ("JOINTCALL_WEBHOOKS_ALLOW_HTTP", "JOINTCALL_WEBHOOKS_ALLOW_LIST"):
        monkeypatch.delenv(name, raising=False)


def answering(*addresses: str, calls: list[str] | None = None) -> Resolver:
    """A resolver that answers `addresses` for any name (and notes each lookup)."""

    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
        "https://2130706433/hook",
        "https://0x7f.0.0.1/hook",
        "https://0177.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/hook",
        "https://192.168.1.1/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:a9fe:a9fe]/hook",
        "https://back:office@hooks.example.com/hook",
        "http://hooks.example.com/hook",
    ],
)
async def test_registration_refuses_what_is_inside_naming_the_url_field(
    service_client: ServiceClient, strict: None, url: str
) -> None:
    client, app = await service_client("regional_eligibility")
    app.state.webhook_resolver = answering("93.184.216.34")
    response = await client.post("/webhooks", json={"url": url, "secret": SECRET}, headers=AUSTRIA)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/webhook-url-refused")
    assert [e["field"] for e in problem["errors"]] == ["url"]
    assert (await client.get("/webhooks", headers=AUSTRIA)).json()["items"] == []


async def test_a_name_that_resolves_inside_at_registration_is_refused(
    service_client: ServiceClient, strict: None
) -> None:
    client, app = await service_client("regional_eligibility")
    app.state.webhook_resolver = answering("10.1.2.3")
    response = await client.post(
        "/webhooks", json={"url": "https://hooks.example.com/x", "secret": SECRET}, headers=AUSTRIA
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "url"
    app.state.webhook_resolver = answering("93.184.216.34")
    response = await client.post(
        "/webhooks", json={"url": "https://hooks.example.com/x", "secret": SECRET}, headers=AUSTRIA
    )
    assert response.status_code == 201


async def test_dns_that_answers_otherwise_at_delivery_is_refused_there(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOINTCALL_WEBHOOKS_ALLOW_LIST")  # plain http for the local receiver, no allow-list
    client, app = await service_client("regional_eligibility")
    app.state.webhook_resolver = answering("93.184.216.34")  # at registration: a public address
    url = f"http://hooks.example.test:{receiver.port}/hook"
    subscribed = await client.post("/webhooks", json={"url": url, "secret": SECRET}, headers=AUSTRIA)
    assert subscribed.status_code == 201
    await closed_call_with(app, clock)

    lookups: list[str] = []
    async with sending(app) as sender:
        sender.resolver = answering("127.0.0.1", calls=lookups)  # at delivery: the receiver on loopback
        assert await deliver_due(app.state.runtime, sender) == 1
    assert receiver.hosts == []  # nothing reached it
    assert lookups == ["hooks.example.test"]
    log = (await client.get(f"/webhooks/{subscribed.json()['id']}/deliveries", headers=AUSTRIA)).json()["items"]
    assert [(d["status"], d["last_outcome"], d["last_status_code"]) for d in log] == [
        ("pending", "refused_address", None)
    ]


async def test_a_delivery_connects_to_the_address_it_checked(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver
) -> None:
    """The name is looked up once, by the resolver whose answer was checked; the connection goes to that
    address (`hooks.example.test` exists in no DNS: a second lookup would fail) with the name as Host."""
    client, app = await service_client("regional_eligibility")
    app.state.webhook_resolver = answering("127.0.0.1")
    url = f"http://hooks.example.test:{receiver.port}/hook"
    assert (await client.post("/webhooks", json={"url": url, "secret": SECRET}, headers=AUSTRIA)).status_code == 201
    await closed_call_with(app, clock)
    lookups: list[str] = []
    async with sending(app) as sender:
        sender.resolver = answering("127.0.0.1", calls=lookups)
        assert await deliver_due(app.state.runtime, sender) == 1
    assert len(receiver.accepted) == 1
    assert receiver.hosts == [f"hooks.example.test:{receiver.port}"]
    assert lookups == ["hooks.example.test"]


async def test_redirects_are_never_followed(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver
) -> None:
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post("/webhooks", json={"url": receiver.url, "secret": SECRET}, headers=AUSTRIA)
    await closed_call_with(app, clock)
    receiver.answer = 307
    async with sending(app) as sender:
        assert await deliver_due(app.state.runtime, sender) == 1
    assert receiver.redirected_to == 0
    log = (await client.get(f"/webhooks/{subscribed.json()['id']}/deliveries", headers=AUSTRIA)).json()["items"]
    assert [(d["last_outcome"], d["last_status_code"]) for d in log] == [("http_error_3xx", 307)]


async def test_the_log_tells_a_closed_port_only_as_unreachable(
    service_client: ServiceClient, clock: MovableClock, loopback_allowed: None
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post(
        "/webhooks", json={"url": f"http://127.0.0.1:{closed}/hook", "secret": SECRET}, headers=AUSTRIA
    )
    await closed_call_with(app, clock)
    async with sending(app) as sender:
        assert await deliver_due(app.state.runtime, sender) == 1
    log = (await client.get(f"/webhooks/{subscribed.json()['id']}/deliveries", headers=AUSTRIA)).json()["items"]
    assert [(d["last_outcome"], d["last_status_code"]) for d in log] == [("unreachable", None)]
    assert set(log[0]) == {
        "event_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_outcome",
        "delivered_at",
    }  # no error text: nothing tells why


# --- the region's subscriptions: cap, list, one, resume, BOLA --------------------------------------------


async def test_a_region_may_have_its_cap_of_subscriptions_and_no_more(
    service_client: ServiceClient, loopback_allowed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTCALL_WEBHOOKS_MAX_PER_REGION", "2")
    client, _ = await service_client("regional_eligibility")
    body = {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
    first = await client.post("/webhooks", json=body, headers=AUSTRIA)
    assert (await client.post("/webhooks", json=body, headers=AUSTRIA)).status_code == 201
    third = await client.post("/webhooks", json=body, headers=AUSTRIA)
    assert third.status_code == 409
    assert third.json()["type"].endswith("/webhook-subscription-limit")
    assert (await client.post("/webhooks", json=body, headers=FRIBOURG)).status_code == 201  # per region
    assert (await client.delete(f"/webhooks/{first.json()['id']}", headers=AUSTRIA)).status_code == 204
    assert (await client.post("/webhooks", json=body, headers=AUSTRIA)).status_code == 201


async def test_a_region_lists_and_reads_its_own_subscriptions_only(
    service_client: ServiceClient, clock: MovableClock, loopback_allowed: None
) -> None:
    client, _ = await service_client("regional_eligibility")
    created = []
    for n in range(3):
        body = {"url": f"http://127.0.0.1:9/hook/{n}", "secret": SECRET}
        created.append((await client.post("/webhooks", json=body, headers=AUSTRIA)).json())
        clock.advance(timedelta(seconds=1))
    first = (await client.get("/webhooks", params={"limit": 2}, headers=AUSTRIA)).json()
    rest = (await client.get("/webhooks", params={"cursor": first["next_cursor"]}, headers=AUSTRIA)).json()
    assert [s["id"] for s in first["items"] + rest["items"]] == [s["id"] for s in created]
    assert rest["next_cursor"] is None
    one = (await client.get(f"/webhooks/{created[1]['id']}", headers=AUSTRIA)).json()
    assert (one["url"], one["status"], one["consecutive_failures"]) == ("http://127.0.0.1:9/hook/1", "active", 0)
    assert "secret" not in one

    hook = f"/webhooks/{created[0]['id']}"
    for method, path in [
        ("GET", hook),
        ("GET", f"{hook}/deliveries"),
        ("POST", f"{hook}/resume"),
        ("DELETE", hook),
    ]:
        assert (await client.request(method, path, headers=FRIBOURG)).status_code == 404, (method, path)
    assert (await client.get("/webhooks", headers=FRIBOURG)).json()["items"] == []
    assert (await client.get(hook, headers=AUSTRIA)).json()["status"] == "active"  # Fribourg's DELETE did nothing
    assert (await client.get("/webhooks", headers=AGENCY)).status_code == 403
    for cursor in ["not-a-cursor", "WyJhYmMiXQ", "WyJ4IiwgInkiXQ"]:
        response = await client.get("/webhooks", params={"cursor": cursor}, headers=AUSTRIA)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"
    assert (await client.delete(hook, headers=AUSTRIA)).status_code == 204
    assert (await client.get(hook, headers=AUSTRIA)).json()["status"] == "deleted"
    assert [
        s["id"] for s in (await client.get("/webhooks", params={"status": "active"}, headers=AUSTRIA)).json()["items"]
    ] == [created[1]["id"], created[2]["id"]]
    resumed = await client.post(f"{hook}/resume", headers=AUSTRIA)
    assert resumed.status_code == 409 and resumed.json()["type"].endswith("/webhook-subscription-deleted")


async def test_the_delivery_log_is_paginated_newest_first(
    service_client: ServiceClient, clock: MovableClock, loopback_allowed: None
) -> None:
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post(
        "/webhooks", json={"url": "http://127.0.0.1:9/hook", "secret": SECRET}, headers=AUSTRIA
    )
    await closed_call_with(app, clock)
    await close_manual_items(client, AUSTRIA)
    await close_manual_items(client, FRIBOURG)  # checks.opened, then outcome.decided
    log = f"/webhooks/{subscribed.json()['id']}/deliveries"
    first = (await client.get(log, params={"limit": 1}, headers=AUSTRIA)).json()
    rest = (await client.get(log, params={"limit": 1, "cursor": first["next_cursor"]}, headers=AUSTRIA)).json()
    feed = [e["id"] for e in (await client.get("/feed", headers=AUSTRIA)).json()["items"]]
    assert [d["event_id"] for d in first["items"] + rest["items"]] == feed[::-1]


@BOTH_DATABASES
async def test_the_circuit_suspends_a_failing_subscriber_until_its_region_resumes_it(
    service_client: ServiceClient, clock: MovableClock, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTCALL_WEBHOOKS_CIRCUIT_FAILURES", "3")
    client, app = await service_client("regional_eligibility")
    subscribed = await client.post("/webhooks", json={"url": receiver.url, "secret": SECRET}, headers=AUSTRIA)
    hook = f"/webhooks/{subscribed.json()['id']}"
    await closed_call_with(app, clock)  # checks.opened
    receiver.failures_left = 1_000
    runtime = app.state.runtime
    suspensions = REGISTRY.get_sample_value("jointcall_webhook_suspensions_total", {"service": SERVICE}) or 0.0

    async with sending(app) as sender:
        for attempt in range(1, 4):
            assert await deliver_due(runtime, sender) == 1
            clock.advance(backoff(attempt, 1.0))
        assert await deliver_due(runtime, sender) == 0  # suspended: nothing is sent
        assert receiver.refused == 3
        one = (await client.get(hook, headers=AUSTRIA)).json()
        assert (one["status"], one["consecutive_failures"], one["suspended_at"] is not None) == ("suspended", 3, True)
        assert REGISTRY.get_sample_value("jointcall_webhook_suspensions_total", {"service": SERVICE}) == (
            suspensions + 1
        )
        await close_manual_items(client, AUSTRIA)
        await close_manual_items(client, FRIBOURG)  # outcome.decided: held while suspended
        log = (await client.get(f"{hook}/deliveries", headers=AUSTRIA)).json()["items"]
        assert [(d["status"], d["attempts"], d["last_outcome"]) for d in log] == [
            ("suspended", 0, None),
            ("suspended", 3, "http_error_5xx"),
        ]
        assert await deliver_due(runtime, sender) == 0

        receiver.failures_left = 0  # the back office is fixed
        resumed = await client.post(f"{hook}/resume", headers=AUSTRIA)
        assert (resumed.json()["status"], resumed.json()["consecutive_failures"]) == ("active", 0)
        assert await deliver_due(runtime, sender) == 1
        assert await deliver_due(runtime, sender) == 1
    feed = [e["id"] for e in (await client.get("/feed", headers=AUSTRIA)).json()["items"]]
    assert receiver.accepted == feed  # in feed order after the resume
    assert (await client.post(f"{hook}/resume", headers=AUSTRIA)).json()["status"] == "active"  # no-op


# --- a hanging subscriber ------------------------------------------------------------------------------


@dataclass
class HangingServer:
    """Accepts every connection and never answers (what stalled every region's writes before)."""

    port: int
    connections: int = 0
    held: list[asyncio.StreamWriter] = field(default_factory=list)


@pytest.fixture
async def hanging() -> AsyncIterator[HangingServer]:
    state = HangingServer(port=0)

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        state.held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    yield state
    for writer in state.held:
        writer.close()
    server.close()
    await server.wait_closed()


@BOTH_DATABASES
async def test_hanging_subscribers_do_not_hold_up_another_regions_writes(
    service_client: ServiceClient,
    clock: MovableClock,
    hanging: HangingServer,
    loopback_allowed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five subscriptions of Upper Austria hang (read timeout 60 s); while every one of their deliveries is
    in flight, Fribourg decides its checks. Before, the delivery pass held the write transaction open
    across its POSTs, so the decision waited for the timeouts and found the attempts recorded."""
    monkeypatch.setenv("JOINTCALL_WEBHOOKS_READ_TIMEOUT_S", "60")
    client, app = await service_client("regional_eligibility")
    hooks = []
    for n in range(5):
        body = {"url": f"http://127.0.0.1:{hanging.port}/hook/{n}", "secret": SECRET}
        hooks.append((await client.post("/webhooks", json=body, headers=AUSTRIA)).json()["id"])
    await closed_call_with(app, clock)  # checks.opened: one delivery per subscription

    stop = asyncio.Event()
    loop = asyncio.create_task(deliver_webhooks(app.state.runtime, stop, interval_s=0.05))
    try:
        for _ in range(500):
            if hanging.connections == len(hooks):
                break
            await asyncio.sleep(0.01)
        assert hanging.connections == len(hooks)

        await close_manual_items(client, FRIBOURG)  # writes: decisions, audit, feed, deliveries
        fribourg = (await client.get("/checks", params={"status": "open"}, headers=FRIBOURG)).json()
        assert fribourg["items"] == []

        # The write went through while every delivery was still in flight: no outcome recorded yet.
        for hook in hooks:
            log = (await client.get(f"/webhooks/{hook}/deliveries", headers=AUSTRIA)).json()["items"]
            assert [(d["attempts"], d["last_outcome"]) for d in log] == [(1, None)]
        assert hanging.connections == len(hooks)
    finally:
        stop.set()
        await loop
