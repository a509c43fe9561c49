"""What changed between two versions of a call's configuration: a readable list of the paths whose value
differs, with the old and the new value. Pure: no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ABSENT = "—"


@dataclass(frozen=True)
class Change:
    path: str  # "regions[2].budget.amount"
    old: str  # the old value as JSON text, ABSENT when the path is new
    new: str  # the new value as JSON text, ABSENT when the path is gone


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def diff(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every leaf that differs, in the order of the configuration (keys of the old first, then new keys)."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        for key in [*old, *(k for k in new if k not in old)]:
            if key not in new:
                changes.append(Change(_join(path, key), _text(old[key]), ABSENT))
            elif key not in old:
                changes.append(Change(_join(path, key), ABSENT, _text(new[key])))
            else:
                changes += diff(old[key], new[key], _join(path, key))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for index in range(max(len(old), len(new))):
            if index >= len(new):
                changes.append(Change(_join(path, index), _text(old[index]), ABSENT))
            elif index >= len(old):
                changes.append(Change(_join(path, index), ABSENT, _text(new[index])))
            else:
                changes += diff(old[index], new[index], _join(path, index))
        return changes
    return [] if old == new else [Change(path, _text(old), _text(new))]
