"""The agency publishes the consolidated results once every region funding partners has confirmed its part."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.events import ResultsPublished
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..errors import ConfirmationsOutstanding, ResultsFinal
from ..models import audit_log, call_audited
from ..repository import progress_for_update
from ..views import ResultsState, results_state


async def publish_results(session: AsyncSession, runtime: Runtime, agency: Principal, call_id: str) -> ResultsState:
    now = runtime.clock.now()
    progress = await progress_for_update(session, call_id, now)
    if progress.published_at is not None:
        raise ResultsFinal("The results of this call are already published.")
    state = await results_state(session, call_id)
    waiting = [r.region_code for r in state.funding.regions if r.funds_partners and not r.confirmed]
    if waiting:
        raise ConfirmationsOutstanding(
            f"Regions still to confirm their decisions: {', '.join(waiting)}.", extra={"waiting_for": waiting}
        )
    decided = state.funding.decided
    progress.published_at = progress.updated_at = now
    await session.flush()
    published = ResultsPublished(
        call_id=uuid.UUID(call_id),
        published_at=now,
        funding_version=decided.funding_version,
        reporting_currency=decided.reporting_currency,
        results=state.lines,
        regions=decided.regions,
        totals=decided.totals,
        stages=state.stages,
    )
    await emit(session, runtime.tables, published, source=runtime.name, subject=call_id, clock=runtime.clock)
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "results.published",
        call_audited(call_id),
        after={"funding_version": decided.funding_version, "lines": len(state.lines)},
    )
    return await results_state(session, call_id)
