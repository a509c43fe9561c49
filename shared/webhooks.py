"""Signed webhooks, as regional back offices receive them.

Each POST carries:
- `X-Jointcall-Event-Id`: the feed event's id (increasing per region; the same on every retry),
- `X-Jointcall-Timestamp`: Unix seconds when this attempt was signed,
- `X-Jointcall-Signature`: `v1=` + hex HMAC-SHA256 with the subscription's secret of
  `<timestamp>.<raw body>`.
A receiver recomputes the signature over the raw body, compares in constant time, rejects a
timestamp more than 5 minutes off its clock (a replayed old request), and ignores an event id it
has already processed (a retry after a lost acknowledgement).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def signed_headers(secret: str, event_id: int, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Jointcall-Event-Id": str(event_id),
        "X-Jointcall-Timestamp": str(timestamp),
        "X-Jointcall-Signature": signature(secret, timestamp, body),
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float, tolerance_s: int = TOLERANCE_S) -> bool:
    """What a receiver does; `headers` looked up case-insensitively is the caller's business."""
    try:
        timestamp = int(headers["X-Jointcall-Timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get("X-Jointcall-Signature", ""))
