"""The demo's transport to a full stack: prefixed paths routed to each service, retries through restarts."""

from __future__ import annotations

import httpx
import pytest

from services.demo.runner import parse_urls
from services.demo.transport import RoutingTransport

URLS = {
    "call_definition": "http://cd:8001",
    "proposal_intake": "http://pi:8002/base",
    "regional_eligibility": "http://re:8003",
    "joint_evaluation": "http://je:8004",
}


class Script:
    """A fake network: records what reached it and answers from a script (an exception or a status)."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"path": request.url.path})


def client(script: Script, urls: dict[str, str] = URLS, retry_for_s: float = 5.0) -> httpx.AsyncClient:
    transport = RoutingTransport.for_services(
        urls, retry_for_s=retry_for_s, backoff_s=0.01, inner=httpx.MockTransport(script)
    )
    return httpx.AsyncClient(transport=transport, base_url="http://jointcall")


async def test_a_prefixed_path_goes_to_its_service_without_the_prefix() -> None:
    script = Script()
    async with client(script) as http:
        await http.get("/call-definition/calls", params={"limit": 5})
        await http.post("/proposal-intake/proposals/1/submit", headers={"Idempotency-Key": "k1"}, json={"a": 1})
        await http.get("/joint-evaluation/calls/9/ranking")
    assert [str(r.url) for r in script.seen] == [
        "http://cd:8001/calls?limit=5",
        "http://pi:8002/base/proposals/1/submit",
        "http://je:8004/calls/9/ranking",
    ]
    assert script.seen[1].headers["Idempotency-Key"] == "k1" and script.seen[1].content == b'{"a":1}'
    assert script.seen[1].headers["host"] == "pi:8002"


async def test_one_gateway_url_keeps_the_prefixes() -> None:
    script = Script()
    async with client(script, {"": "http://gateway:8000"}) as http:
        await http.get("/regional-eligibility/checks")
    assert str(script.seen[0].url) == "http://gateway:8000/regional-eligibility/checks"


async def test_connection_errors_and_unavailable_answers_are_retried_with_the_same_request() -> None:
    refused = httpx.ConnectError("connection refused")
    script = Script(refused, 503, httpx.RemoteProtocolError("server disconnected"), 502, 201)
    async with client(script) as http:
        response = await http.post("/proposal-intake/proposals/1/submit", headers={"Idempotency-Key": "k"})
    assert response.status_code == 201
    assert len(script.seen) == 5 and {r.headers["Idempotency-Key"] for r in script.seen} == {"k"}


async def test_it_gives_up_after_its_time_and_passes_other_errors_through() -> None:
    script = Script(*[httpx.ConnectError("down")] * 50)
    async with client(script, retry_for_s=0.2) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/call-definition/calls")
    assert 3 <= len(script.seen) < 10  # backing off: 0.01, 0.02, 0.04, ... seconds
    async with client(Script(404, 409, 500)) as http:
        assert [(await http.get("/call-definition/calls")).status_code for _ in range(3)] == [404, 409, 500]


def test_urls_are_given_per_service_or_as_one_gateway() -> None:
    assert parse_urls(["call-definition=http://a:1", "joint_evaluation=http://b:2"]) == {
        "call_definition": "http://a:1",
        "joint_evaluation": "http://b:2",
    }
    assert parse_urls(["http://gateway:8000"]) == {"": "http://gateway:8000"}
    with pytest.raises(ValueError, match="either"):
        parse_urls(["http://gateway:8000", "call_definition=http://a:1"])
    with pytest.raises(ValueError, match="unknown service"):
        RoutingTransport.for_services({"intake": "http://a:1"})
