"""Canonical JSON and its SHA-256: what a receipt proves was submitted.

Canonical form: UTF-8 JSON, keys sorted, no insignificant whitespace, decimals as strings.
A consortium can recompute the hash from the content it sent, as documented in the README.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(content: Any) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(content: Any) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
