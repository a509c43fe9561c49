"""`jointcall dead-letters list|replay <service>` on the embedded bus, and the settings it starts from."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from services.cli import main
from services.registry import SERVICES
from shared.clock import MovableClock
from shared.db import sqlite_url_for
from shared.errors import PermanentError
from shared.events import CallPublished, Envelope, make_envelope
from shared.messaging.bus import Subscription
from shared.messaging.inprocess import InProcessBus
from tests.helpers import NOW, published_call

QUEUE = "proposal_intake.calls"  # proposal_intake's one subscription, named as `jointcall up` names it


@pytest.fixture
def embedded_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No broker configured, working directory tmp_path: the embedded defaults of `jointcall up`."""
    for name in ("JOINTCALL_RABBITMQ_URL", "JOINTCALL_DATA_DIR", "JOINTCALL_PROPOSAL_INTAKE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def park_one(bus_file: Path) -> Envelope:
    """Run an in-process bus as the embedded app does, and let one call event be parked on QUEUE."""
    clock = MovableClock(NOW)
    bus = InProcessBus(bus_file, clock=clock, poll_interval_s=0.02)

    async def refuse(_: Envelope) -> None:
        raise PermanentError("not a call I can read")

    bus.subscribe(Subscription(QUEUE, ("call.*",), refuse))
    await bus.start()
    call = published_call(clock)
    message = make_envelope(CallPublished(call=call), source="test", subject=str(call.call_id), clock=clock)
    assert await bus.publish_batch([message]) == [None]
    for _ in range(250):
        if await bus.dead_letters(QUEUE):
            break
        await asyncio.sleep(0.02)
    await bus.close()
    return message


async def parked(bus_file: Path) -> list[dict[str, object]]:
    bus = InProcessBus(bus_file)
    try:
        return await bus.dead_letters(QUEUE)
    finally:
        await bus.close()


@pytest.mark.parametrize("with_data_dir", [False, True], ids=["default data dir", "--data-dir"])
def test_list_shows_the_parked_message_and_replay_puts_it_back(
    embedded_env: Path, capsys: pytest.CaptureFixture[str], with_data_dir: bool
) -> None:
    data_dir = embedded_env / ("elsewhere" if with_data_dir else "jointcall-data")  # `up`'s default folder
    option = ["--data-dir", str(data_dir)] if with_data_dir else []
    message = asyncio.run(park_one(data_dir / "bus.db"))

    main(["dead-letters", "list", "proposal_intake", *option])
    header, *lines = _section(capsys.readouterr().out, QUEUE)
    assert header == f"{QUEUE}: 1 parked message(s)"
    [letter] = [json.loads(line) for line in lines]
    assert letter["queue"] == QUEUE
    assert letter["message_id"] == str(message.id)
    assert letter["event_type"] == message.type
    assert letter["attempts"] == 1
    assert "not a call I can read" in letter["error"]
    assert len(asyncio.run(parked(data_dir / "bus.db"))) == 1  # listing consumed nothing

    main(["dead-letters", "replay", "proposal_intake", *option])
    assert f"{QUEUE}: 1 message(s) replayed" in capsys.readouterr().out.splitlines()
    assert asyncio.run(parked(data_dir / "bus.db")) == []


def test_up_and_dead_letters_use_the_same_data_dir(
    embedded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With JOINTCALL_DATA_DIR set, `jointcall up` keeps its bus there, and `dead-letters` looks there."""
    import uvicorn

    import services.embedded

    data_dir = embedded_env / "from-env"
    monkeypatch.setenv("JOINTCALL_DATA_DIR", str(data_dir))
    served: list[Path] = []
    monkeypatch.setattr(services.embedded, "create_embedded_app", served.append)
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **_kwargs: None)
    main(["up"])
    assert served == [data_dir.resolve()]

    asyncio.run(park_one(served[0] / "bus.db"))
    capsys.readouterr()
    main(["dead-letters", "list", "proposal_intake"])
    assert _section(capsys.readouterr().out, QUEUE)[0] == f"{QUEUE}: 1 parked message(s)"


def _section(out: str, queue: str) -> list[str]:
    """The lines of one queue in the listing (a service has several queues: one header line each)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{queue}: "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("{")), len(lines))
    return lines[start:end]


def test_without_an_embedded_bus_it_says_where_it_looked(embedded_env: Path) -> None:
    with pytest.raises(SystemExit, match=r"no embedded bus at .*jointcall-data/bus\.db"):
        main(["dead-letters", "list", "proposal_intake"])
    assert not (embedded_env / "jointcall-data" / "bus.db").exists()  # and created none


def test_generic_variables_reach_no_service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """JOINTCALL_SERVICE / JOINTCALL_DATABASE_URL would give all four services one name and one database:
    they are not settings (each service names itself and reads JOINTCALL_<SERVICE>_DATABASE_URL)."""
    monkeypatch.setenv("JOINTCALL_SERVICE", "call_definition")
    monkeypatch.setenv("JOINTCALL_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/shared")
    monkeypatch.setenv("JOINTCALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JOINTCALL_JOINT_EVALUATION_DATABASE_URL", "postgresql+asyncpg://db/joint_evaluation")
    for name in SERVICES:
        if name != "joint_evaluation":
            monkeypatch.delenv(f"JOINTCALL_{name.upper()}_DATABASE_URL", raising=False)
    for name, definition in SERVICES.items():
        settings = definition.settings_class()
        assert settings.service == name
        expected = (
            "postgresql+asyncpg://db/joint_evaluation"
            if name == "joint_evaluation"
            else sqlite_url_for(tmp_path / f"{name}.db")
        )
        assert settings.database_url == expected
    # Given in code, both still apply.
    given = SERVICES["proposal_intake"].settings_class(database_url="sqlite+aiosqlite:///:memory:")
    assert given.database_url == "sqlite+aiosqlite:///:memory:"
