"""The sandbox of the embedded default: an agency moves the clock forward over HTTP and everything time-driven
follows (the submission window, the call's status, the eligibility checks opened at closing); off by default,
refused on the full stack, forward only, kept across a restart."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services import cli
from services.embedded import create_embedded_app
from shared.clock import SandboxClock
from tests.helpers import bearer, live_call_body, migrate_all, poll, proposal_body

AGENCY = bearer("agency")
CONSORTIUM = bearer("consortium:acme")


async def migrated(folder: Path) -> Path:
    await migrate_all(folder)
    return folder


async def eventually(read: Any, accept: Any, within: float = 15.0) -> Any:
    return await poll(read, accept, within, pause=0.05)


async def test_moving_the_clock_closes_the_call_and_opens_the_checks(sandbox: httpx.AsyncClient) -> None:
    body = live_call_body("ALP-SANDBOX", deadline=timedelta(hours=6))
    call = (await sandbox.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await sandbox.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200
    created = await sandbox.post(
        f"/proposal-intake/calls/{call['id']}/proposals", json=proposal_body(), headers=CONSORTIUM
    )
    assert created.status_code == 201  # read-your-writes: no waiting for call.published
    proposal_id = created.json()["id"]
    assert (
        await sandbox.post(f"/proposal-intake/proposals/{proposal_id}/submit", headers=CONSORTIUM)
    ).status_code == 201

    before = (await sandbox.get("/sandbox/clock", headers=AGENCY)).json()
    moved = await sandbox.post("/sandbox/clock", json={"seconds": 7 * 3600}, headers=AGENCY)
    assert moved.status_code == 200
    assert moved.json()["offset_s"] == pytest.approx(before["offset_s"] + 7 * 3600)
    assert datetime.fromisoformat(moved.json()["now"]) > datetime.fromisoformat(call["deadline"])

    late = await sandbox.post(f"/proposal-intake/proposals/{proposal_id}/submit", headers=CONSORTIUM)
    assert late.status_code == 409 and late.json()["type"].endswith("/deadline-passed")
    status = (await sandbox.get(f"/call-definition/calls/{call['id']}")).json()["status"]
    assert status == "closed"  # derived from the sandbox's now at once

    async def case() -> dict[str, Any]:
        response = await sandbox.get(f"/regional-eligibility/proposals/{proposal_id}", headers=AGENCY)
        return response.json() if response.status_code == 200 else {}

    # call_definition's clock job announces call.closed; regional_eligibility opens the checks.
    opened = await eventually(case, lambda body: body.get("status") == "checking")
    assert opened["status"] == "checking"


async def test_the_clock_only_moves_forward_and_only_for_an_agency(sandbox: httpx.AsyncClient) -> None:
    now = datetime.fromisoformat((await sandbox.get("/sandbox/clock", headers=AGENCY)).json()["now"])
    backward = await sandbox.post("/sandbox/clock", json={"to": (now - timedelta(hours=1)).isoformat()}, headers=AGENCY)
    assert backward.status_code == 409 and backward.headers["content-type"].startswith("application/problem+json")
    for wrong in ({}, {"seconds": 60, "to": now.isoformat()}, {"seconds": -5}, {"to": "2030-01-01T00:00:00"}):
        answer = await sandbox.post("/sandbox/clock", json=wrong, headers=AGENCY)
        assert answer.status_code == 422, wrong
    assert (await sandbox.post("/sandbox/clock", json={"seconds": 60}, headers=CONSORTIUM)).status_code == 403
    assert (await sandbox.get("/sandbox/clock")).status_code == 401
    to = now + timedelta(days=2)
    moved = (await sandbox.post("/sandbox/clock", json={"to": to.isoformat()}, headers=AGENCY)).json()
    assert abs(datetime.fromisoformat(moved["now"]) - to) < timedelta(seconds=5)


async def test_without_sandbox_mode_there_is_no_clock_to_move(tmp_path: Path) -> None:
    app = create_embedded_app(await migrated(tmp_path))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        answer = await client.post("/sandbox/clock", json={"seconds": 60}, headers=AGENCY)
    assert answer.status_code in (404, 405)  # the portal at / knows no such page
    assert not (tmp_path / "sandbox-clock.json").exists()


def test_a_restarted_sandbox_keeps_its_time(tmp_path: Path) -> None:
    clock = SandboxClock(tmp_path / "sandbox-clock.json")
    clock.advance(timedelta(days=3))
    again = SandboxClock(tmp_path / "sandbox-clock.json")
    assert again.offset == timedelta(days=3)
    assert again.now() - datetime.now(UTC) > timedelta(days=2, hours=23)
    with pytest.raises(ValueError, match="forward"):
        again.advance(timedelta(seconds=-1))


@pytest.mark.parametrize("command", [["api", "proposal_intake"], ["worker", "proposal_intake"], ["migrate", "all"]])
def test_the_full_stack_refuses_the_sandbox(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOINTCALL_SANDBOX", "true")
    with pytest.raises(SystemExit, match="only for the embedded default"):
        cli.main(command)


def test_durations_for_the_clock_command() -> None:
    assert cli._duration("3d12h") == (3 * 24 + 12) * 3600
    assert cli._duration("90m") == 5400 and cli._duration("45s") == 45
    for wrong in ("", "2x", "0h", "h2"):
        with pytest.raises(argparse.ArgumentTypeError, match=r"duration|does not move"):
            cli._duration(wrong)
