"""Record what evaluation learns of a proposal: its submitted version, then its eligibility."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import EligibilityDecided, ProposalSubmitted
from shared.service import Runtime

from ..repository import entry_for_update


async def record_submission(session: AsyncSession, runtime: Runtime, event: ProposalSubmitted) -> None:
    now = runtime.clock.now()
    entry = await entry_for_update(session, str(event.proposal_id), str(event.call_id), now)
    if event.version <= entry.proposal_version:
        return
    entry.proposal_version, entry.acronym, entry.title = event.version, event.acronym, event.title
    entry.submitted_at, entry.updated_at = event.submitted_at, now


async def record_eligibility(session: AsyncSession, runtime: Runtime, event: EligibilityDecided) -> None:
    now = runtime.clock.now()
    entry = await entry_for_update(session, str(event.proposal_id), str(event.call_id), now)
    if event.proposal_version < entry.eligibility_version:
        return  # a decision on an older version arriving late
    entry.eligibility_version, entry.eligibility = event.proposal_version, event.outcome
    entry.eligibility_reasons, entry.updated_at = event.reasons, now
