"""Events project_monitoring consumes: calls (local copy), proposals and their eligibility (what a project is
made of), the published results and the reserve proposals funded later (projects to contract)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import EligibilityDecided, Envelope, ProposalSubmitted, ReserveFunded, ResultsPublished, parse_data
from shared.messaging.bus import Subscription
from shared.service import Runtime, call_copy_subscription, idempotent_subscription

from .models import call_copies
from .use_cases.fund_from_reserve import fund_from_reserve
from .use_cases.fund_from_results import fund_from_results
from .use_cases.record_eligibility import record_eligibility
from .use_cases.record_submission import record_submission


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def on_proposal_submitted(session: AsyncSession, envelope: Envelope) -> None:
        await record_submission(session, runtime, parse_data(envelope, ProposalSubmitted))

    async def on_eligibility_decided(session: AsyncSession, envelope: Envelope) -> None:
        await record_eligibility(session, runtime, parse_data(envelope, EligibilityDecided))

    async def on_results_published(session: AsyncSession, envelope: Envelope) -> None:
        await fund_from_results(session, runtime, parse_data(envelope, ResultsPublished))

    async def on_reserve_funded(session: AsyncSession, envelope: Envelope) -> None:
        await fund_from_reserve(session, runtime, parse_data(envelope, ReserveFunded))

    return [
        call_copy_subscription(runtime, call_copies),
        idempotent_subscription(
            runtime,
            "project_monitoring.proposals",
            {"proposal.submitted": on_proposal_submitted, "eligibility.decided": on_eligibility_decided},
        ),
        idempotent_subscription(
            runtime,
            "project_monitoring.funding",
            {"results.published": on_results_published, "reserve.funded": on_reserve_funded},
        ),
    ]
