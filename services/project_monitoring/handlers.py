"""Events project_monitoring consumes: calls (local copy), proposals and their eligibility (what a project is
made of), the published results and the reserve proposals funded later (projects to contract)."""

from __future__ import annotations

from shared.events import EligibilityDecided, ProposalSubmitted, ReserveFunded, ResultsPublished
from shared.messaging.bus import Subscription
from shared.service import Runtime, applying, call_copy_subscription, idempotent_subscription

from .models import call_copies
from .use_cases.fund_from_reserve import fund_from_reserve
from .use_cases.fund_from_results import fund_from_results
from .use_cases.record_eligibility import record_eligibility
from .use_cases.record_submission import record_submission


def subscriptions(runtime: Runtime) -> list[Subscription]:
    return [
        call_copy_subscription(runtime, call_copies),
        idempotent_subscription(
            runtime,
            "project_monitoring.proposals",
            {
                "proposal.submitted": applying(runtime, ProposalSubmitted, record_submission),
                "eligibility.decided": applying(runtime, EligibilityDecided, record_eligibility),
            },
        ),
        idempotent_subscription(
            runtime,
            "project_monitoring.funding",
            {
                "results.published": applying(runtime, ResultsPublished, fund_from_results),
                "reserve.funded": applying(runtime, ReserveFunded, fund_from_reserve),
            },
        ),
    ]
