"""A proposal's eligibility decision (eligibility.decided), with its ineligible and dropped partners.

Events may arrive in any order and more than once (the inbox drops exact repeats): a decision counts only if it
is about a newer version, or is a newer decision on the same one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import EligibilityDecided
from shared.service import Runtime

from ..repository import record_decision_on_entry


async def record_eligibility(session: AsyncSession, runtime: Runtime, event: EligibilityDecided) -> None:
    changes = {
        "eligibility": event.outcome,
        "eligibility_reasons": event.reasons,
        "eligibility_reason_details": [detail.model_dump(mode="json") for detail in event.reason_details],
        "ineligible_partners": [p.partner_id for p in event.partners if not p.eligible],
        "dropped_partners": list(event.dropped_partners),
    }
    versions = (event.proposal_version, event.decision_version)  # an older decision arriving late changes nothing
    await record_decision_on_entry(
        session, str(event.proposal_id), str(event.call_id), runtime.clock.now(), versions, changes
    )
