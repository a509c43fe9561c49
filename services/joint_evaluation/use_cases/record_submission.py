"""What evaluation learns of a submitted proposal (proposal.submitted): its version, its text and partners.

Events may arrive in any order and more than once (the inbox drops exact repeats): a submission counts only if
its version is newer.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ProposalSubmitted
from shared.service import Runtime

from ..repository import entry_for_update


async def record_submission(session: AsyncSession, runtime: Runtime, event: ProposalSubmitted) -> None:
    now = runtime.clock.now()
    entry = await entry_for_update(session, str(event.proposal_id), str(event.call_id), now)
    if event.version <= entry.proposal_version:
        return
    entry.proposal_version, entry.acronym, entry.title = event.version, event.acronym, event.title
    entry.abstract, entry.topics = event.abstract, list(event.s3_areas)
    entry.partners = [partner.model_dump(mode="json") for partner in event.partners]
    entry.submitted_at, entry.updated_at = event.submitted_at, now
    entry.stage, entry.applicant_id = event.stage, event.applicant_id
    entry.pre_proposal_id = str(event.pre_proposal_id) if event.pre_proposal_id else None
