"""Events regional_eligibility consumes: calls (local copy) and submitted proposals (checks)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope, ProposalSubmitted, parse_data
from shared.messaging.bus import Subscription
from shared.service import Runtime, call_copy_subscription, idempotent_subscription

from .models import call_copies
from .use_cases.open_case import open_case


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def on_proposal_submitted(session: AsyncSession, envelope: Envelope) -> None:
        await open_case(session, runtime, parse_data(envelope, ProposalSubmitted))

    return [
        call_copy_subscription(runtime, call_copies),
        idempotent_subscription(
            runtime,
            "regional_eligibility.proposals",
            {"proposal.submitted": on_proposal_submitted},
            routing_keys=("proposal.*",),
        ),
    ]
