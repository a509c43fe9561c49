"""`jointcall demo --portal`: after the demo, the same embedded system (its databases, its clock, past the
results) stays up on a local address, so a newcomer can look around a finished call in the browser."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import uvicorn
from fastapi import FastAPI

from .api import Tokens
from .results import Results

Serve = Callable[[FastAPI, httpx.AsyncClient, Results], Awaitable[None]]


async def who_to_sign_in_as(client: httpx.AsyncClient, call_code: str) -> list[str]:
    """Roles worth signing in as on the finished call: the agency, a region, an evaluator and a consortium of
    the call (their ids read through the APIs, as any client would)."""
    agency = Tokens()("agency")
    calls = (await client.get("/call-definition/calls/all", params={"limit": 200}, headers=agency)).json()
    call = next(c for c in calls["items"] if c["code"] == call_code)
    roles = ["agency (the secretariat: calls, the selection meeting, results)"]
    regions = call.get("configuration", {}).get("regions") or []
    if regions:
        roles.append(f"region, scope {regions[0]['code']} (a regional officer: checks, webhooks)")
    experts = await client.get(f"/joint-evaluation/calls/{call['id']}/evaluators", params={"limit": 1}, headers=agency)
    if experts.status_code == 200 and experts.json()["items"]:
        roles.append(f"evaluator, scope {experts.json()['items'][0]['id']} (an expert's assignments)")
    proposals = await client.get(f"/proposal-intake/calls/{call['id']}/proposals", params={"limit": 1}, headers=agency)
    if proposals.status_code == 200 and proposals.json()["items"]:
        roles.append(f"consortium, scope {proposals.json()['items'][0]['applicant_id']} (an applicant's proposals)")
    return roles


def serve_portal(host: str, port: int, say: Callable[[str], None]) -> Serve:
    """Serve the embedded app (already started: its lifespan is the demo's) until Ctrl-C."""

    async def serve(app: FastAPI, client: httpx.AsyncClient, results: Results) -> None:
        roles = await who_to_sign_in_as(client, results["call"]["code"])
        say(f"\nThe finished call {results['call']['code']} is open in the portal: http://{host}:{port}/")
        say("Sign in (development sign-in, top right) as:")
        for role in roles:
            say(f"  - {role}")
        say("Ctrl-C stops it.")
        config = uvicorn.Config(app, host=host, port=port, lifespan="off", log_config=None, log_level="warning")
        await uvicorn.Server(config).serve()

    return serve
