"""The committed openapi/ documents are what the code serves: regenerate with `jointcall openapi`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.cli import OPENAPI_DIR, openapi_documents

DOCUMENTS = openapi_documents()


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_committed_openapi_matches_the_code(service: str) -> None:
    committed = OPENAPI_DIR / f"{service}.json"
    assert committed.exists(), f"{committed} missing: run `jointcall openapi`"
    assert committed.read_text(encoding="utf-8") == DOCUMENTS[service], (
        f"{committed} is out of date: run `jointcall openapi` and commit the result"
    )


@pytest.mark.parametrize("service", sorted(DOCUMENTS))
def test_every_operation_but_health_and_public_calls_needs_a_token(service: str) -> None:
    document = json.loads(DOCUMENTS[service])
    public = {
        "call_definition": {("/calls", "get"), ("/calls/{call_id}", "get"), ("/calls/{call_id}/versions", "get")},
        # what a call requires to submit: its public rules, as a form needs them
        "proposal_intake": {("/calls/{call_id}/requirements", "get")},
        # results, once the agency publishes them: the funded proposals and the regions' totals (404 before)
        "joint_evaluation": {("/calls/{call_id}/results/published", "get")},
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if (path, method) in public.get(service, set()) or path in ("/healthz", "/readyz"):
                continue
            assert operation.get("security"), f"{service}: {method.upper()} {path} has no security requirement"


def test_openapi_dir_is_the_repository_folder() -> None:
    assert Path(__file__).resolve().parents[2] / "openapi" == OPENAPI_DIR
