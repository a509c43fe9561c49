"""The partners eligibility dropped or found not eligible, kept on the proposal's copy: they are never offered a
grant."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import RetryableError
from shared.events import EligibilityDecided
from shared.service import Runtime

from ..repository import get_proposal_copy


async def record_eligibility(session: AsyncSession, runtime: Runtime, event: EligibilityDecided) -> None:
    copy = await get_proposal_copy(session, str(event.proposal_id), for_update=True)
    if copy is None:
        raise RetryableError(f"proposal {event.proposal_id} not seen yet")  # its submission comes on another queue
    excluded = {p.partner_id for p in event.partners if not p.eligible} | set(event.dropped_partners)
    copy.excluded_partners, copy.updated_at = sorted(excluded), runtime.clock.now()
