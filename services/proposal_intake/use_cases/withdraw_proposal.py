"""A consortium withdraws its proposal, before or after the deadline: nothing proceeds for it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.events import ProposalWithdrawn
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.service import Runtime

from ..access import proposal_for, refuse_if_withdrawn
from ..domain.lifecycle import ProposalStatus
from ..models import Proposal, audit_log
from ..repository import replace_region_partners


async def withdraw_proposal(
    session: AsyncSession, runtime: Runtime, consortium: Principal, proposal_id: str, reason: str
) -> Proposal:
    proposal = await proposal_for(session, consortium, proposal_id, for_update=True)
    refuse_if_withdrawn(proposal.status, ProposalStatus.WITHDRAWN)
    now = runtime.clock.now()
    before = proposal.status
    proposal.status, proposal.withdrawn_at, proposal.updated_at = ProposalStatus.WITHDRAWN, now, now
    proposal.draft_revision += 1
    await session.flush()
    await replace_region_partners(session, [], proposal.id)
    if before == ProposalStatus.SUBMITTED:  # a draft never announced needs no withdrawal announced
        await emit(
            session,
            runtime.tables,
            ProposalWithdrawn(
                proposal_id=uuid.UUID(proposal.id),
                call_id=uuid.UUID(proposal.call_id),
                applicant_id=proposal.applicant_id,
                withdrawn_at=now,
                reason=reason,
            ),
            source=runtime.name,
            subject=proposal.id,
            clock=runtime.clock,
        )
    await AuditTrail(session, audit_log, runtime.clock, consortium.actor).record(
        "proposal.withdrawn",
        proposal.audited,
        before={"status": before},
        after={"status": ProposalStatus.WITHDRAWN},
        reason=reason,
    )
    return proposal
