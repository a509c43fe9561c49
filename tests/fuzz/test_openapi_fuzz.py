"""Bad input, generated from each service's OpenAPI document (schemathesis), with a valid token of every role
for every service: no request may get a 5xx, every 4xx is problem+json, and responses match the documented
schemas. Two phases: each operation alone (EXAMPLES, 25, per operation and role), then stateful sequences that chain
the operations through the links schemathesis infers from the schemas (an id a POST returned, used by the GET,
PUT and POST that take it), as the resource's owner would. About two minutes on two cores."""

from __future__ import annotations

import atexit
import shutil
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

EXAMPLES = 25
# Every example commits to SQLite; on a disk each commit waits for its fsync (synchronous=FULL), which made the
# old 8 examples spend two thirds of their time waiting. A RAM disk, where the machine has one, makes an
# example cost its CPU only: three times the examples in no more time.
_SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None
# Per service, a token of every role that has operations there (a scoped role's scope is one the examples use);
# the others only ever get 403, which the roles listed already meet on the operations they may not use.
ROLES = {
    "call_definition": ("agency", "consortium:acme", "region:AT-4"),
    "proposal_intake": ("consortium:acme", "agency", "region:AT-4"),
    "regional_eligibility": ("region:AT-4", "agency"),
    "joint_evaluation": ("agency", "evaluator:e-1", "region:AT-4"),
    "project_monitoring": ("agency", "region:AT-4", "consortium:acme"),
    "s3_strategy": ("agency", "region:AT-4"),
}
# Whose sequences the stateful phase runs, per service: the role that creates what the others read.
OWNER = {
    "call_definition": "agency",
    "proposal_intake": "consortium:acme",
    "regional_eligibility": "region:AT-4",
    "joint_evaluation": "agency",
    "project_monitoring": "agency",
    "s3_strategy": "agency",
}
STATEFUL = settings(
    max_examples=15, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def _app(name: str) -> Any:
    """The service's app on a fresh SQLite database, ready without a lifespan (schemathesis calls it
    from its own event loops: no pooled connection may outlive one)."""
    definition = SERVICES[name]
    folder = tempfile.mkdtemp(prefix=f"jc-fuzz-{name}-", dir=_SCRATCH)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # RAM is not for leftovers
    settings_ = definition.settings_class(data_dir=Path(folder))
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


def _stateless(service: str) -> Any:
    @pytest.mark.parametrize("role", ROLES[service])
    @SCHEMAS[service].parametrize()
    @FUZZ
    def test(case: Any, role: str) -> None:
        _run(case, role)

    return test


test_call_definition = _stateless("call_definition")
test_proposal_intake = _stateless("proposal_intake")
test_regional_eligibility = _stateless("regional_eligibility")
test_joint_evaluation = _stateless("joint_evaluation")
test_project_monitoring = _stateless("project_monitoring")
test_s3_strategy = _stateless("s3_strategy")


def test_every_service_is_fuzzed() -> None:
    assert {name.removeprefix("test_") for name in globals() if name.startswith("test_")} >= set(SERVICES)
    assert set(OWNER) == set(ROLES) == set(SERVICES)
    assert {role.split(":")[0] for roles in ROLES.values() for role in roles} == {
        "agency",
        "consortium",
        "region",
        "evaluator",
    }


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_stateful_sequences(service: str) -> None:
    base = SCHEMAS[service].as_state_machine()
    token = bearer(OWNER[service])

    class Sequences(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {**(case.headers or {}), **token}}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Sequences.run(settings=STATEFUL)
