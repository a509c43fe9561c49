"""A proposal's eligibility decision (eligibility.decided), with its ineligible and dropped partners.

Events may arrive in any order and more than once (the inbox drops exact repeats): a decision counts only if it
is about a newer version, or is a newer decision on the same one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import EligibilityDecided
from shared.service import Runtime

from ..repository import entry_for_update


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
