"""Events call_definition consumes: what the joint evaluation announces moves a call's lifecycle on.

call_definition is the source of the call.* facts; it follows evaluation.completed, funding.decided and
results.published so that a call's status says where it stands without anyone pressing a button.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope, EvaluationCompleted, FundingDecided, ResultsPublished, parse_data
from shared.messaging.bus import Subscription
from shared.messaging.inbox import EventHandler
from shared.service import Runtime, idempotent_subscription

from .domain.lifecycle import CallStatus
from .use_cases.follow_evaluation import follow_evaluation

Announcement = EvaluationCompleted | FundingDecided | ResultsPublished
REACHED: dict[type[Announcement], CallStatus] = {
    EvaluationCompleted: CallStatus.RANKING,
    FundingDecided: CallStatus.FUNDING_DECISIONS,
    ResultsPublished: CallStatus.RESULTS_PUBLISHED,
}


def subscriptions(runtime: Runtime) -> list[Subscription]:
    handlers = {
        model.event_type.rsplit(".", 1)[0]: _follow(runtime, model, status) for model, status in REACHED.items()
    }
    return [idempotent_subscription(runtime, "call_definition.evaluation", handlers)]


def _follow(runtime: Runtime, model: type[Announcement], reached: CallStatus) -> EventHandler:
    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        data = parse_data(envelope, model)
        await follow_evaluation(session, runtime, str(data.call_id), reached, model.event_type)

    return handle
