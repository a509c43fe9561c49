"""A region's back office confirms its part of the funding decisions, or declines one proposal with a reason.

A decline makes the proposal unfundable for good: the walk is redone without it (its money goes down the list),
stored as the next version and announced. A confirmation holds while the region's part (what it funds) stays
the same, so a decline elsewhere asks only the regions whose part changed to confirm again.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.calls import CallConfiguration
from shared.errors import NotFound
from shared.events import FundingDecided
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config
from ..domain.allocation import FundingStatus
from ..domain.funding import FundingTrigger, region_part
from ..errors import FundingAlreadyDeclined, FundingNotDecided, FundingVersionChanged, ResultsFinal
from ..funding import decide, latest_decisions
from ..models import CallProgress, FundingDecline, RegionConfirmation, audit_log, call_audited
from ..repository import confirmations_of_call, progress_for_update
from ..views import FundingState, funding_state


async def confirm_funding(
    session: AsyncSession,
    runtime: Runtime,
    region: Principal,
    call_id: str,
    region_code: str,
    decision: Literal["confirm", "decline"],
    *,
    proposal_id: str | None = None,
    reason: str | None = None,
    funding_version: int | None = None,
) -> FundingState:
    """The decisions after the region's answer (all regions; the caller shows the region its own part)."""
    config = await call_config(session, call_id)
    if region.scope != region_code or config.region(region_code) is None:
        raise NotFound(f"No region {region_code} in call {call_id} for {region.label}.")
    progress = await progress_for_update(session, call_id, runtime.clock.now())
    decided = await _current_decisions(session, progress, funding_version)
    if decision == "confirm":
        await _confirm(session, runtime, region, progress, decided, region_code)
    else:
        assert proposal_id is not None and reason is not None  # the request schema requires both to decline
        await _decline(session, runtime, region, config, progress, decided, proposal_id, reason)
    return await funding_state(session, call_id)


async def _current_decisions(
    session: AsyncSession, progress: CallProgress, expected_version: int | None
) -> FundingDecided:
    if progress.published_at is not None:
        raise ResultsFinal("The results are published: the funding decisions are final.")
    decided = await latest_decisions(session, progress)
    if decided is None:
        raise FundingNotDecided("No funding has been decided for this call yet.")
    if expected_version is not None and expected_version != decided.funding_version:
        raise FundingVersionChanged(
            f"The decisions changed: version {decided.funding_version} is current, not {expected_version}.",
            extra={"funding_version": decided.funding_version},
        )
    return decided


async def _confirm(
    session: AsyncSession,
    runtime: Runtime,
    region: Principal,
    progress: CallProgress,
    decided: FundingDecided,
    region_code: str,
) -> None:
    existing = (await confirmations_of_call(session, progress.call_id)).get(region_code)
    before = {"funding_version": existing.funding_version, "part": existing.part} if existing else None
    if existing is None:
        existing = RegionConfirmation(call_id=progress.call_id, region_code=region_code)
        session.add(existing)
    existing.funding_version, existing.part = decided.funding_version, region_part(decided, region_code)
    existing.confirmed_by, existing.confirmed_at = region.label, runtime.clock.now()
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, region.actor).record(
        "funding.confirmed",
        call_audited(progress.call_id),
        before=before,
        after={"funding_version": existing.funding_version, "part": existing.part},
    )


async def _decline(
    session: AsyncSession,
    runtime: Runtime,
    region: Principal,
    config: CallConfiguration,
    progress: CallProgress,
    decided: FundingDecided,
    proposal_id: str,
    reason: str,
) -> FundingDecided:
    region_code = region.scope or ""
    decision = next((d for d in decided.proposals if str(d.proposal_id) == proposal_id), None)
    if decision is None or all(amount.region_code != region_code for amount in decision.requested):
        raise NotFound(f"No funding decision on proposal {proposal_id} for {region.label}.")
    if decision.status == FundingStatus.DECLINED.value:
        raise FundingAlreadyDeclined(
            f"Proposal {proposal_id} is already declined by {', '.join(decision.declined_by)}.",
            extra={"declined_by": list(decision.declined_by)},
        )
    session.add(
        FundingDecline(
            call_id=progress.call_id,
            proposal_id=proposal_id,
            region_code=region_code,
            reason=reason,
            declined_by=region.label,
            declined_at=runtime.clock.now(),
            funding_version=decided.funding_version,
        )
    )
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, region.actor).record(
        "funding.declined",
        Audited("proposal", proposal_id, progress.call_id),
        before={"status": decision.status, "funding_version": decided.funding_version},
        after={"status": FundingStatus.DECLINED},
        reason=reason,
    )
    return await decide(
        session, runtime, config, progress, trigger=FundingTrigger.DECLINE, actor=region.actor, reason=reason
    )
