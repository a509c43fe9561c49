"""Contract test: payloads recorded from earlier releases must still be accepted by today's models.

A change that breaks an existing consumer (a renamed or newly required field, a narrowed type)
fails here. Add a new recording under recorded/ whenever an event version is introduced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.events import EVENT_MODELS, Envelope

RECORDED = sorted((Path(__file__).parent / "recorded").glob("*.json"))


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_recorded_event_is_still_understood(path: Path) -> None:
    envelope = Envelope.model_validate(json.loads(path.read_text(encoding="utf-8")))
    model = EVENT_MODELS[envelope.type]
    model.model_validate(envelope.data)


def test_every_event_type_has_a_recording() -> None:
    recorded_types = {json.loads(p.read_text(encoding="utf-8"))["type"] for p in RECORDED}
    assert recorded_types == set(EVENT_MODELS)


def test_unknown_fields_are_ignored_by_consumers() -> None:
    path = next(p for p in RECORDED if "call.published" in p.name)
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["data"]["call"]["a_field_from_the_future"] = {"nested": True}
    envelope = Envelope.model_validate(raw)
    EVENT_MODELS[envelope.type].model_validate(envelope.data)
