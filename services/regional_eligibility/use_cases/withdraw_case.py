"""A proposal is withdrawn: its checks are retired and its regions told."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ProposalSubmitted, ProposalWithdrawn
from shared.service import Runtime

from ..domain.lifecycle import CaseFeedKind, CaseStatus, can_move, moved
from ..feed import announce
from ..repository import get_case, retire_checks


async def withdraw_case(session: AsyncSession, runtime: Runtime, withdrawn: ProposalWithdrawn) -> None:
    case = await get_case(session, str(withdrawn.proposal_id), for_update=True)
    if case is None or not can_move(CaseStatus(case.status), CaseStatus.WITHDRAWN):
        return
    case.status, case.updated_at = moved(case.status, CaseStatus.WITHDRAWN), runtime.clock.now()
    await retire_checks(session, [case.proposal_id])
    submitted = ProposalSubmitted.model_validate(case.submission)
    regions = {p.region_code for p in submitted.partners}
    await announce(
        session,
        runtime,
        regions,
        CaseFeedKind.PROPOSAL_WITHDRAWN,
        case.proposal_id,
        {"proposal_id": case.proposal_id, "acronym": case.acronym, "reason": withdrawn.reason},
    )
