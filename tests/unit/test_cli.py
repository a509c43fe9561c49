"""The `jointcall` command: tokens without heavy imports, several roles at once, and help for everything."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import jwt
import pytest

from services import cli
from services.registry import SERVICES
from shared.http.auth import decode_token
from shared.tokens import DEV_JWT_SECRET, token_settings_from_environment


def test_one_role_prints_the_bare_token_the_services_accept(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOINTCALL_JWT_SECRET", raising=False)
    cli.main(["token", "region:AT-4"])
    token = capsys.readouterr().out.strip()
    principal = decode_token(token, DEV_JWT_SECRET)
    assert (principal.role, principal.scope, principal.subject) == ("region", "AT-4", "region:AT-4")


def test_several_roles_print_one_role_and_token_per_line_in_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTCALL_JWT_SECRET", "s" * 32)
    roles = ["agency", "region:AT-4", "consortium:acme", "evaluator:e-1"]
    cli.main(["token", *roles, "--ttl-hours", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[0] for line in lines] == roles
    for line in lines:
        role, token = line.split(" ")
        assert decode_token(token, "s" * 32).label == role
        claims = jwt.decode(token, "s" * 32, algorithms=["HS256"], issuer="jointcall")
        assert claims["exp"] - claims["iat"] == 3600


def test_json_output_maps_each_role_to_its_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTCALL_JWT_SECRET", "k" * 40)
    monkeypatch.setenv("JOINTCALL_JWT_ALGORITHM", "HS512")
    cli.main(["token", "--json", "agency", "region:IT-25"])
    tokens = json.loads(capsys.readouterr().out)
    assert set(tokens) == {"agency", "region:IT-25"}
    assert decode_token(tokens["region:IT-25"], "k" * 40, "HS512").scope == "IT-25"
    assert jwt.get_unverified_header(tokens["agency"])["alg"] == "HS512"


@pytest.mark.parametrize(
    ("role", "message"),
    [("boss", "'boss' is not a role"), ("region", "needs a scope"), ("agency:x", "takes no scope")],
)
def test_a_wrong_role_is_refused_saying_why(role: str, message: str) -> None:
    with pytest.raises(SystemExit, match=message):
        cli.main(["token", "agency", role])


def test_the_secret_is_read_from_the_environment_as_the_services_read_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.settings import ServiceSettings

    monkeypatch.setenv("jointcall_jwt_secret", "lower-case-name-" * 2)
    settings = ServiceSettings()
    assert token_settings_from_environment() == (settings.jwt_secret, settings.jwt_algorithm)


def test_issuing_a_token_loads_neither_the_web_stack_nor_the_database_layer() -> None:
    code = (
        "import sys; from services.cli import main; main(['token', 'agency', 'region:AT-4']); "
        "heavy = [m for m in ('fastapi', 'pydantic', 'sqlalchemy', 'alembic', 'jwt', 'httpx', 'asyncio') "
        "if m in sys.modules]; print('heavy', heavy, file=sys.stderr); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2


def test_the_service_names_in_the_help_are_the_registry_s() -> None:
    assert tuple(SERVICES) == cli.SERVICE_NAMES


def _parsers(parser: argparse.ArgumentParser, path: str = "jointcall") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, f"{path} {name}")
    return found


def test_every_command_has_a_description_and_every_option_says_what_it_does() -> None:
    parsers = _parsers(cli._parser())
    assert len(parsers) > 14
    for path, parser in parsers:
        assert parser.description, f"{path} has no description"
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions), path
                continue
            assert action.help, f"{path} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["up"], ["--host", "(default: 127.0.0.1)", "--port", "(default: 8000)", "--data-dir", "jointcall-data"]),
        (["api"], ["SERVICE", "proposal_intake", "(default: 127.0.0.1)", "(default: 8000)", "(default: 1)"]),
        (["demo"], ["(default 300; with --two-", "(default: 7)", "(default: jointcall-demo)", "(default: 8)"]),
        (["worker"], ["SERVICE", "--metrics-port", "JOINTCALL_METRICS_PORT"]),
        (["token"], ["ROLE TOKEN", "--json", "(default: 12.0)"]),
        (["s3", "topics"], ["(default: 2)", "(default: 15)", "CHF:1.05"]),
    ],
)
def test_help_shows_what_each_option_does_and_its_default(
    command: list[str], expected: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # no line wrapped inside a value
    with pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for fragment in expected:
        assert fragment in text, fragment
