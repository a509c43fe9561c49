"""Events proposal_intake consumes: call.* keeps its local copy of the calls up to date."""

from __future__ import annotations

from shared.messaging.bus import Subscription
from shared.service import Runtime, call_copy_subscription

from .models import call_copies


def subscriptions(runtime: Runtime) -> list[Subscription]:
    return [call_copy_subscription(runtime, call_copies)]
