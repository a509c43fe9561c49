"""A region confirms the decided shortlist of a two-stage call; with the last confirmation the invitations are
published (invitations.published)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.errors import NotFound
from shared.http.principal import Principal
from shared.service import Runtime

from ..errors import NothingToConfirm, ShortlistNotDecided
from ..models import ShortlistDecision, audit_log, call_audited
from ..repository import progress_for_update, shortlist_decision
from ..shortlisting import publish_when_confirmed, refuse_once_published


async def confirm_shortlist(
    session: AsyncSession, runtime: Runtime, region: Principal, call_id: str, region_code: str
) -> ShortlistDecision:
    await progress_for_update(session, call_id, runtime.clock.now())
    decision = await shortlist_decision(session, call_id)
    if region.scope != region_code:
        raise NotFound(f"No region {region_code} for {region.label}.")
    if decision is None:
        raise ShortlistNotDecided("No shortlist has been decided for this call yet.")
    refuse_once_published(decision)
    if region_code not in decision.confirmations:
        raise NothingToConfirm(f"No invited pre-proposal asks {region_code} for money: it has nothing to confirm.")
    decision.confirmations = {
        **decision.confirmations,
        region_code: {"by": region.label, "at": runtime.clock.now().isoformat()},
    }
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, region.label).record(
        "shortlist.confirmed", call_audited(call_id), after={"region": region_code}
    )
    await publish_when_confirmed(session, runtime, call_id, decision)
    return decision
