"""An evaluator declares a conflict of interest with a proposal of its call, at any time.

From then on the proposal is hidden from it. If it was assigned, the pair is removed with whatever the evaluator
wrote, and a replacement is sought (``assign_evaluators.rebalance``), unless the proposal's consensus is already
final: then the consensus stands and the agency sees the late conflict on the proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.errors import NotFound
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config, evaluator_of
from ..assignment import rebalance
from ..models import DeclaredConflict, audit_log
from ..repository import (
    get_consensus,
    get_declared_conflict,
    get_entry,
    get_pair,
    pairs_of_proposals,
    progress_for_update,
)


@dataclass(frozen=True)
class ConflictOutcome:
    conflict: DeclaredConflict
    created: bool
    unassigned: bool = False  # the evaluator was taken off the proposal
    replacements: list[str] = field(default_factory=list)  # evaluators newly assigned in its place


async def declare_conflict(
    session: AsyncSession, runtime: Runtime, principal: Principal, proposal_id: str, reason: str
) -> ConflictOutcome:
    evaluator = await evaluator_of(session, principal)
    entry = await get_entry(session, proposal_id)
    if entry is None or entry.call_id != evaluator.call_id:
        raise NotFound(f"No proposal {proposal_id} in the call of {principal.label}.")
    existing = await get_declared_conflict(session, evaluator.id, proposal_id)
    if existing is not None:
        return ConflictOutcome(existing, created=False)  # a repeated declaration changes nothing
    conflict = DeclaredConflict(
        evaluator_id=evaluator.id,
        proposal_id=proposal_id,
        call_id=entry.call_id,
        reason=reason,
        declared_at=runtime.clock.now(),
    )
    session.add(conflict)
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, principal.actor).record(
        "conflict.declared",
        entry.audited,
        after={"evaluator_id": evaluator.id},
        reason=reason,
    )
    if await get_pair(session, evaluator.id, proposal_id) is None:
        return ConflictOutcome(conflict, created=True)
    return await _unassign(session, runtime, principal, conflict)


async def _unassign(
    session: AsyncSession, runtime: Runtime, principal: Principal, conflict: DeclaredConflict
) -> ConflictOutcome:
    config = await call_config(session, conflict.call_id)
    progress = await progress_for_update(session, conflict.call_id, runtime.clock.now())
    consensus = await get_consensus(session, conflict.proposal_id)
    if progress.completed_at is not None or (consensus is not None and consensus.finalised_at is not None):
        return ConflictOutcome(conflict, created=True)
    before = {p.evaluator_id for p in await pairs_of_proposals(session, [conflict.proposal_id])}
    await rebalance(session, runtime, config, progress, actor=principal.actor, reason=f"conflict: {conflict.reason}")
    after = {p.evaluator_id for p in await pairs_of_proposals(session, [conflict.proposal_id])}
    return ConflictOutcome(conflict, created=True, unassigned=True, replacements=sorted(after - before))
