"""A withdrawn proposal (proposal.withdrawn) drops out of evaluation; a repeat changes nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ProposalWithdrawn
from shared.service import Runtime

from ..funding import redo_after_withdrawal
from ..repository import entry_for_update


async def record_withdrawal(session: AsyncSession, runtime: Runtime, event: ProposalWithdrawn) -> None:
    """The proposal drops out of everything; funding already decided is walked again without it."""
    now = runtime.clock.now()
    entry = await entry_for_update(session, str(event.proposal_id), str(event.call_id), now)
    if entry.withdrawn_at is not None:
        return
    entry.withdrawn_at, entry.updated_at = event.withdrawn_at, now
    await session.flush()
    actor = f"consortium:{event.applicant_id}"
    await redo_after_withdrawal(session, runtime, entry.call_id, entry.proposal_id, actor=actor, reason=event.reason)
