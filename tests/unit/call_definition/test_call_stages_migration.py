"""call_definition's migration 0003: existing two-stage calls get their stage-1 configuration written out,
one-stage calls stay exactly as they were, and both still validate."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from services.call_definition.app import SERVICE
from services.call_definition.domain.validation import validate_configuration
from services.call_definition.examples import alpine_call
from services.call_definition.examples.two_stage import alpine_two_stage
from shared.call_stages import TwoStageConfig, stage_rules
from shared.calls import CallConfiguration
from shared.service import migrate


def insert(db: Path, call_id: str, configuration: dict[str, Any]) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO calls (id, code, title, status, opens_at, deadline, configuration, version, revision,"
            " created_at, updated_at) VALUES (?, ?, 't', 'published', '2027-02-01 08:00:00.000000',"
            " '2027-04-15 15:00:00.000000', ?, 1, 1, '2026-12-01 00:00:00.000000', '2026-12-01 00:00:00.000000')",
            (call_id, call_id, json.dumps(configuration)),
        )


def stored(db: Path, call_id: str) -> dict[str, Any]:
    with sqlite3.connect(db) as connection:
        (text,) = connection.execute("SELECT configuration FROM calls WHERE id = ?", (call_id,)).fetchone()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_existing_calls_stay_valid_and_two_stage_ones_get_their_defaults_written_out(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    url = f"sqlite+aiosqlite:///{db}"
    migrate(SERVICE, url, "0002")
    one = alpine_call()
    two = alpine_two_stage(alpine_call())
    del two["two_stage"]  # as a two-stage call was stored before stages had a configuration
    insert(db, "one", one)
    insert(db, "two", two)

    migrate(SERVICE, url, "head")

    assert stored(db, "one") == one
    after = CallConfiguration.model_validate(stored(db, "two"))
    assert after.two_stage == TwoStageConfig() == stage_rules(CallConfiguration.model_validate(two))
    for call_id in ("one", "two"):
        assert validate_configuration(CallConfiguration.model_validate(stored(db, call_id))) == []
