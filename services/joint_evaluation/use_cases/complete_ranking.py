"""The agency closes the evaluation once every eligible proposal has a final consensus: the ranking list is
fixed and announced (evaluation.completed)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.events import EvaluationCompleted
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime
from shared.wording import agree, count

from ..access import call_config, refuse_once_completed
from ..errors import RankingIncomplete
from ..models import audit_log, call_audited
from ..ranking import RankingView, current_ranking
from ..repository import progress_for_update


async def complete_ranking(session: AsyncSession, runtime: Runtime, agency: Principal, call_id: str) -> RankingView:
    config = await call_config(session, call_id)
    now = runtime.clock.now()
    progress = await progress_for_update(session, call_id, now)
    refuse_once_completed(progress)
    view = await current_ranking(session, call_id, config)
    if view.pending_consensus or view.awaiting_eligibility:
        raise RankingIncomplete(
            f"{count(len(view.pending_consensus), 'eligible proposal')} "
            f"{agree(len(view.pending_consensus), 'lacks', 'lack')} a final consensus and "
            f"{count(len(view.awaiting_eligibility), 'proposal')} "
            f"{agree(len(view.awaiting_eligibility), 'awaits', 'await')} its eligibility decision.",
            extra={"pending_consensus": view.pending_consensus, "awaiting_eligibility": view.awaiting_eligibility},
        )
    progress.ranking = [line.model_dump(mode="json") for line in view.ranking]
    progress.completed_at = progress.updated_at = now
    await session.flush()
    completed = EvaluationCompleted(call_id=uuid.UUID(call_id), completed_at=now, ranking=view.ranking)
    await emit(session, runtime.tables, completed, source=runtime.name, subject=call_id, clock=runtime.clock)
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "evaluation.completed",
        call_audited(call_id),
        after={"ranked": sum(1 for line in view.ranking if line.rank is not None), "listed": len(view.ranking)},
    )
    return RankingView(view.ranking, completed_at=now)
