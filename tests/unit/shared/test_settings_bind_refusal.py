"""`jointcall api` and `jointcall up` refuse to serve beyond this machine with the public development secret."""

from __future__ import annotations

import pytest

from services import cli
from shared.settings import DEV_JWT_SECRET, refuse_public_bind_with_development_secret


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "[2001:db8::1]", "api.example.org"])
def test_a_public_address_with_the_development_secret_is_refused_naming_the_setting(host: str) -> None:
    with pytest.raises(SystemExit, match="JOINTCALL_JWT_SECRET"):
        refuse_public_bind_with_development_secret(host, DEV_JWT_SECRET)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_with_the_development_secret_is_allowed(host: str) -> None:
    refuse_public_bind_with_development_secret(host, DEV_JWT_SECRET)


def test_a_public_address_with_an_own_secret_is_allowed() -> None:
    refuse_public_bind_with_development_secret("0.0.0.0", "3f1c" * 16)


@pytest.mark.parametrize("command", [["api", "proposal_intake", "--host", "0.0.0.0"], ["up", "--host", "0.0.0.0"]])
def test_the_commands_refuse_before_listening(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOINTCALL_JWT_SECRET", raising=False)

    def listen(*args: object, **kwargs: object) -> None:
        raise AssertionError("started listening")

    monkeypatch.setattr("uvicorn.run", listen)
    with pytest.raises(SystemExit, match="development JWT secret"):
        cli.main(command)


def test_the_api_listens_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOINTCALL_JWT_SECRET", raising=False)
    monkeypatch.delenv(cli.API_SERVICE_ENV, raising=False)  # restored after the test
    hosts: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: hosts.append(kwargs["host"]))
    cli.main(["api", "proposal_intake"])
    assert hosts == ["127.0.0.1"]
