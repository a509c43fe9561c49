"""Example S3 priorities shipped with the project: the 11 Alpine regions of S3-4AlpClusters (illustrative)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ALPINE_PRIORITIES = Path(__file__).parent / "alpine-priorities.json"


def alpine_priorities() -> dict[str, Any]:
    """The example in the JSON import format (the file's `_note` left out)."""
    document: dict[str, Any] = json.loads(ALPINE_PRIORITIES.read_text(encoding="utf-8"))
    document.pop("_note", None)
    return document
