"""Example calls shipped with the project: the Alpine Space joint call of ../shared/alpine-call.json."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ALPINE_CALL = Path(__file__).parent / "alpine-call.json"
ALPINE_DOCUMENTS = Path(__file__).parent / "alpine-documents.json"
_INSTANTS = ("eligibility_check_due", "evaluation_due", "decisions_due")


def alpine_call(*, documents: bool = False) -> dict[str, Any]:
    """The example as an agency would send it (the file's explanatory `_note` keys left out); with
    `documents`, the document types of alpine-documents.json too (a narrative, a budget annex, each partner's
    letter of commitment, Bavaria's de minimis declaration), which a submission then needs."""
    call: dict[str, Any] = _without_notes(json.loads(ALPINE_CALL.read_text(encoding="utf-8")))
    if documents:
        call["documents"] = _without_notes(json.loads(ALPINE_DOCUMENTS.read_text(encoding="utf-8")))["documents"]
    return call


def redated(call: dict[str, Any], opens: datetime) -> dict[str, Any]:
    """The same call with every instant moved so that its first stage opens at `opens`."""
    shift = opens - datetime.fromisoformat(call["stages"][0]["opens"])
    moved = dict(call)
    moved["stages"] = [
        {**stage, "opens": _moved(stage["opens"], shift), "deadline": _moved(stage["deadline"], shift)}
        for stage in call["stages"]
    ]
    for key in _INSTANTS:
        if call.get(key):
            moved[key] = _moved(call[key], shift)
    return moved


def _moved(instant: str, shift: timedelta) -> str:
    return (datetime.fromisoformat(instant) + shift).isoformat()


def _without_notes(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_notes(item) for key, item in value.items() if not key.startswith("_")}
    if isinstance(value, list):
        return [_without_notes(item) for item in value]
    return value
