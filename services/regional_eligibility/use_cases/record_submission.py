"""A proposal's version arrives: its case is (re)opened awaiting the deadline, or checked at once if its stage
has already closed; an older version arriving late changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ProposalSubmitted
from shared.service import Runtime

from ..cases import call_config, open_checks
from ..domain.lifecycle import CaseOutcome, CaseStatus, can_move, moved
from ..domain.stages import deadline_of
from ..models import ProposalCase
from ..repository import get_case, retire_checks


async def record_submission(session: AsyncSession, runtime: Runtime, submitted: ProposalSubmitted) -> None:
    _, config = await call_config(session, str(submitted.call_id))
    proposal_id = str(submitted.proposal_id)
    case = await get_case(session, proposal_id, for_update=True)
    if case is not None and (
        case.version >= submitted.version or not can_move(CaseStatus(case.status), CaseStatus.AWAITING_DEADLINE)
    ):
        return  # an older version arriving late, or a withdrawn proposal: nothing changes
    now = runtime.clock.now()
    if case is None:
        case = ProposalCase(proposal_id=proposal_id, call_id=str(submitted.call_id), decision_version=0)
        session.add(case)
    case.version, case.acronym, case.updated_at = submitted.version, submitted.acronym, now
    case.submission = submitted.model_dump(mode="json")
    case.status = moved(case.status, CaseStatus.AWAITING_DEADLINE)
    case.outcome, case.reasons, case.decided_at = CaseOutcome.PENDING, [], None
    # Checks opened before a deadline extension judged a version that is no longer final: nobody decides them.
    await retire_checks(session, [proposal_id])
    await session.flush()
    if now >= deadline_of(config, submitted.stage):  # its stage already closed: this is the final version
        await open_checks(session, runtime, [case], config)
