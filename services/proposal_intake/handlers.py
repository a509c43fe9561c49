"""Events proposal_intake consumes: call.* keeps its local copy of the calls up to date; invitations.published
tells which pre-proposals of a two-stage call may go on to stage 2."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope, InvitationsPublished, parse_data
from shared.messaging.bus import Subscription
from shared.service import Runtime, call_copy_subscription, idempotent_subscription

from .models import call_copies
from .use_cases.record_invitations import record_invitations


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def on_invitations(session: AsyncSession, envelope: Envelope) -> None:
        await record_invitations(session, parse_data(envelope, InvitationsPublished))

    return [
        call_copy_subscription(runtime, call_copies),
        idempotent_subscription(
            runtime,
            "proposal_intake.invitations",
            {"invitations.published": on_invitations},
            routing_keys=("invitations.published",),
        ),
    ]
