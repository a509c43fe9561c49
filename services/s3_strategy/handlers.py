"""Event subscriptions of s3_strategy: none. It reads no other service's events; call drafts are created
through call_definition's public API (use_cases/start_call.py)."""

from __future__ import annotations

from shared.messaging.bus import Subscription
from shared.service import Runtime


def subscriptions(_runtime: Runtime) -> list[Subscription]:
    return []
