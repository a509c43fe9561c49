"""Events regional_eligibility consumes: calls (local copy; closing opens the checks), submitted
and withdrawn proposals; and, for the regions' feeds, the shortlist's invitations (joint_evaluation) and what
project_monitoring finds overdue."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import (
    CALL_EVENTS,
    CallEvent,
    Envelope,
    GrantOverdue,
    InvitationsPublished,
    ProposalSubmitted,
    ProposalWithdrawn,
    ReportOverdue,
    parse_data,
)
from shared.messaging.bus import Subscription
from shared.readmodel import upsert_call_copy
from shared.service import Runtime, applying, idempotent_subscription

from .models import call_copies
from .use_cases.announce_grant_overdue import announce_grant_overdue
from .use_cases.announce_invitations import announce_invitations
from .use_cases.announce_payment_held import announce_payment_held
from .use_cases.open_checks_of_call import open_checks_of_call
from .use_cases.record_submission import record_submission
from .use_cases.withdraw_case import withdraw_case


def subscriptions(runtime: Runtime) -> list[Subscription]:
    async def on_call_event(session: AsyncSession, envelope: Envelope) -> None:
        call = parse_data(envelope, CallEvent).call
        await upsert_call_copy(session, call_copies, call, runtime.clock)
        await open_checks_of_call(session, runtime, call)

    call_handlers = {model.event_type.rsplit(".", 1)[0]: on_call_event for model in CALL_EVENTS}
    return [
        idempotent_subscription(runtime, "regional_eligibility.calls", call_handlers, routing_keys=("call.*",)),
        idempotent_subscription(
            runtime,
            "regional_eligibility.proposals",
            {
                "proposal.submitted": applying(runtime, ProposalSubmitted, record_submission),
                "proposal.withdrawn": applying(runtime, ProposalWithdrawn, withdraw_case),
            },
            routing_keys=("proposal.*",),
        ),
        idempotent_subscription(
            runtime,
            "regional_eligibility.invitations",
            {"invitations.published": applying(runtime, InvitationsPublished, announce_invitations)},
        ),
        idempotent_subscription(
            runtime,
            "regional_eligibility.overdue",
            {
                "grant.overdue": applying(runtime, GrantOverdue, announce_grant_overdue),
                "report.overdue": applying(runtime, ReportOverdue, announce_payment_held),
            },
        ),
    ]
