"""A region judges the fit of a pre-proposal with partners of its own (go, or no-go with a reason), when the
two-stage call asks for it; a later answer replaces the earlier one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.errors import NotFound
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config
from ..errors import NoRegionFit
from ..models import RegionFit, audit_log
from ..repository import get_entry, shortlist_decision
from ..shortlisting import refuse_once_published, two_stage


async def record_fit(
    session: AsyncSession, runtime: Runtime, region: Principal, proposal_id: str, *, go: bool, reason: str
) -> RegionFit:
    """A region's go / no-go on a pre-proposal with partners of its own (a later answer replaces it)."""
    entry = await get_entry(session, proposal_id)
    region_code = region.scope or ""
    if entry is None or entry.stage != 1 or region_code not in {p["region_code"] for p in entry.partners}:
        raise NotFound(f"No pre-proposal {proposal_id} with partners from {region_code}.")
    rules = two_stage(await call_config(session, entry.call_id))
    if not rules.evaluation.region_fit:
        raise NoRegionFit("This call's stage 1 has no go / no-go by the regions.")
    decision = await shortlist_decision(session, entry.call_id)
    refuse_once_published(decision)
    fit = await session.get(RegionFit, (proposal_id, region_code))
    if fit is None:
        fit = RegionFit(proposal_id=proposal_id, region_code=region_code, call_id=entry.call_id)
        session.add(fit)
    fit.go, fit.reason, fit.decided_by, fit.decided_at = go, reason, region.label, runtime.clock.now()
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, region.label).record(
        "stage_one.fit",
        entry.audited,
        after={"region": region_code, "go": go},
        reason=reason,
    )
    return fit
