"""The shortlist of a two-stage call was published: keep each pre-proposal's outcome, which decides who may
start a full proposal and what each consortium is told."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import InvitationsPublished

from ..repository import replace_invitations


async def record_invitations(session: AsyncSession, published: InvitationsPublished) -> None:
    rows = [
        {
            "pre_proposal_id": str(outcome.pre_proposal_id),
            "call_id": str(published.call_id),
            "applicant_id": outcome.applicant_id,
            "status": outcome.status,
            "reasons": outcome.reasons,
            "stage_two_opens": published.stage_two_opens,
            "stage_two_deadline": published.stage_two_deadline,
            "published_at": published.published_at,
        }
        for outcome in published.outcomes
    ]
    await replace_invitations(session, str(published.call_id), rows)
