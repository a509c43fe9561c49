"""What monitoring keeps of a submitted proposal before it is funded: its last submitted version (a project is
made from it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import PermanentError
from shared.events import ProposalSubmitted
from shared.service import Runtime

from ..models import ProposalCopy
from ..repository import get_proposal_copy


async def record_submission(session: AsyncSession, runtime: Runtime, event: ProposalSubmitted) -> None:
    if event.version < 1:  # a first copy would be stored without its submission (NOT NULL): park it, saying why
        raise PermanentError(f"proposal {event.proposal_id}: version {event.version} (versions start at 1)")
    copy = await get_proposal_copy(session, str(event.proposal_id), for_update=True)
    if copy is None:
        copy = ProposalCopy(proposal_id=str(event.proposal_id), call_id=str(event.call_id), version=0)
        copy.excluded_partners = []
        session.add(copy)
    if event.version <= copy.version:
        return  # an older version arriving late
    copy.version, copy.submission = event.version, event.model_dump(mode="json")
    copy.updated_at = runtime.clock.now()
