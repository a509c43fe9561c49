"""The example call shipped with the project is the one given in ../shared (when it is there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.call_definition.examples import ALPINE_CALL as EXAMPLE

GIVEN = Path(__file__).resolve().parents[4] / "shared" / "alpine-call.json"


@pytest.mark.skipif(
    not GIVEN.is_file(),
    reason=f"nothing to compare with: the call given with the project's brief ({GIVEN}) lives beside the "
    "repository in the development workspace, not in a clone; the shipped example is validated by the other tests",
)
def test_shipped_example_matches_the_given_one() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == GIVEN.read_text(encoding="utf-8")
