"""Bad input, generated from each service's OpenAPI document (schemathesis), with a valid token
for every role: no request may get a 5xx, every 4xx is problem+json, and responses match the
documented schemas."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.pool import NullPool

from services.registry import SERVICES
from shared.clock import SystemClock
from shared.db import create_engine, create_session_factory
from shared.service import Runtime, build_app, migrate
from tests.helpers import bearer

EXAMPLES = 8


def _app(name: str) -> Any:
    """The service's app on a fresh SQLite database, ready without a lifespan (schemathesis calls it
    from its own event loops: no pooled connection may outlive one)."""
    definition = SERVICES[name]
    settings_ = definition.settings_class(data_dir=Path(tempfile.mkdtemp(prefix=f"jc-fuzz-{name}-")))
    migrate(definition, settings_.database_url)
    engine = create_engine(settings_.database_url, poolclass=NullPool)
    runtime = Runtime(
        name=name,
        settings=settings_,
        engine=engine,
        sessions=create_session_factory(engine),
        clock=SystemClock(),
        tables=definition.tables,
    )
    app = build_app(definition, settings_, runtime=runtime, broker_check=False)
    if name in ("proposal_intake", "joint_evaluation"):  # a call it does not know is asked of call_definition
        app.state.call_definition_transport = httpx.ASGITransport(app=_app("call_definition"))
    return app


def problem_json_for_client_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    if 400 <= response.status_code < 500 and response.status_code != 405:
        content_type = response.headers.get("content-type", [""])
        value = content_type[0] if isinstance(content_type, list) else content_type
        assert value.startswith("application/problem+json"), f"{response.status_code} answered with {value}"
    return None


SCHEMAS = {name: schemathesis.openapi.from_asgi("/openapi.json", _app(name)) for name in SERVICES}
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
CHECKS = [not_a_server_error, response_schema_conformance, problem_json_for_client_errors]


def _run(case: Any, role: str) -> None:
    case.call_and_validate(headers={**(case.headers or {}), **bearer(role)}, checks=CHECKS)


@pytest.mark.parametrize("role", ["agency", "consortium:acme"])
@SCHEMAS["call_definition"].parametrize()
@FUZZ
def test_call_definition(case: Any, role: str) -> None:
    _run(case, role)


@pytest.mark.parametrize("role", ["consortium:acme", "agency", "region:AT-4"])
@SCHEMAS["proposal_intake"].parametrize()
@FUZZ
def test_proposal_intake(case: Any, role: str) -> None:
    _run(case, role)


@pytest.mark.parametrize("role", ["region:AT-4", "agency"])
@SCHEMAS["regional_eligibility"].parametrize()
@FUZZ
def test_regional_eligibility(case: Any, role: str) -> None:
    _run(case, role)


@pytest.mark.parametrize("role", ["agency", "evaluator:e-1", "region:AT-4"])
@SCHEMAS["joint_evaluation"].parametrize()
@FUZZ
def test_joint_evaluation(case: Any, role: str) -> None:
    _run(case, role)
