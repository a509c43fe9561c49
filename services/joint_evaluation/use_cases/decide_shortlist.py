"""The agency decides a two-stage call's shortlist (optionally with what-if parameters); every region with partners
in an invited pre-proposal then confirms it, and the invitations are published with the last confirmation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime

from ..errors import ShortlistPending
from ..models import ShortlistDecision, audit_log, call_audited
from ..repository import entries_of_call, progress_for_update, shortlist_decision
from ..shortlisting import (
    WhatIf,
    confirming_regions,
    current_shortlist,
    outcomes,
    publish_when_confirmed,
    refuse_once_published,
    region_line,
)


async def decide_shortlist(
    session: AsyncSession, runtime: Runtime, agency: Principal, call_id: str, what_if: WhatIf
) -> ShortlistDecision:
    """The agency fixes the shortlist; it is published once every confirming region has confirmed."""
    await progress_for_update(session, call_id, runtime.clock.now())  # call-wide steps queue here
    existing = await shortlist_decision(session, call_id)
    refuse_once_published(existing)
    view = await current_shortlist(session, call_id, what_if)
    if view.pending:
        raise ShortlistPending(
            f"{len(view.pending)} pre-proposal(s) still await their eligibility or final stage-1 score.",
            extra={"pending": view.pending},
        )
    entries = {e.proposal_id: e for e in await entries_of_call(session, call_id)}
    decision = existing or ShortlistDecision(call_id=call_id)
    if existing is None:
        session.add(decision)
    decision.parameters = view.parameters
    decision.outcomes = [line.model_dump(mode="json") for line in outcomes(view, entries)]
    decision.regions = [region_line(r) for r in view.shortlist.regions]
    decision.confirmations = {code: None for code in confirming_regions(view)}
    decision.decided_by, decision.decided_at = agency.label, runtime.clock.now()
    decision.published_at = None
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, agency.label).record(
        "shortlist.decided",
        call_audited(call_id),
        after={"parameters": view.parameters, "invited": len(view.shortlist.invited)},
    )
    await publish_when_confirmed(session, runtime, call_id, decision)
    return decision
