"""Record what evaluation learns of a proposal: its submitted version, its eligibility, its withdrawal.

Events may arrive in any order and more than once (the inbox drops exact repeats): a submission counts only if
its version is newer, an eligibility decision only if it is about a newer version or is a newer decision on the
same one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import EligibilityDecided, ProposalSubmitted, ProposalWithdrawn
from shared.service import Runtime

from ..funding import redo_after_withdrawal
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


async def record_eligibility(session: AsyncSession, runtime: Runtime, event: EligibilityDecided) -> None:
    now = runtime.clock.now()
    entry = await entry_for_update(session, str(event.proposal_id), str(event.call_id), now)
    if (event.proposal_version, event.decision_version) <= (entry.eligibility_version, entry.decision_version):
        return  # an older decision arriving late
    entry.eligibility_version, entry.decision_version = event.proposal_version, event.decision_version
    entry.eligibility, entry.eligibility_reasons = event.outcome, event.reasons
    entry.eligibility_reason_details = [detail.model_dump(mode="json") for detail in event.reason_details]
    entry.ineligible_partners = [p.partner_id for p in event.partners if not p.eligible]
    entry.dropped_partners, entry.updated_at = list(event.dropped_partners), now


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
