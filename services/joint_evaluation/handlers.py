"""Events joint_evaluation consumes: calls (local copy), submitted and withdrawn proposals, eligibility
decisions, and the money given back after the results (funds.released)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import (
    EligibilityDecided,
    Envelope,
    FundsReleased,
    ProposalSubmitted,
    ProposalWithdrawn,
    parse_data,
)
from shared.messaging.bus import Subscription
from shared.service import Runtime, applying, call_copy_subscription, idempotent_subscription

from .models import call_copies
from .use_cases.record_eligibility import record_eligibility
from .use_cases.record_release import record_release
from .use_cases.record_submission import record_submission
from .use_cases.record_withdrawal import record_withdrawal


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def on_funds_released(session: AsyncSession, envelope: Envelope) -> None:
        await record_release(session, runtime, str(envelope.id), parse_data(envelope, FundsReleased))

    return [
        call_copy_subscription(runtime, call_copies),
        idempotent_subscription(
            runtime,
            "joint_evaluation.proposals",
            {
                "proposal.submitted": applying(runtime, ProposalSubmitted, record_submission),
                "proposal.withdrawn": applying(runtime, ProposalWithdrawn, record_withdrawal),
            },
            routing_keys=("proposal.*",),
        ),
        idempotent_subscription(
            runtime,
            "joint_evaluation.eligibility",
            {"eligibility.decided": applying(runtime, EligibilityDecided, record_eligibility)},
            routing_keys=("eligibility.*",),
        ),
        idempotent_subscription(runtime, "joint_evaluation.releases", {"funds.released": on_funds_released}),
    ]
