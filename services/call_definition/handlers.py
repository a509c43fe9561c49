"""call_definition consumes no events: it is the source of the call.* facts."""

from __future__ import annotations

from shared.messaging.bus import Subscription
from shared.service import Runtime


def subscriptions(runtime: Runtime) -> list[Subscription]:
    return []
