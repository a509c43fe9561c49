"""The shortlist's invitations reach the regions: each region with partners in a pre-proposal finds its
outcome on its feed (and webhooks), invited with the stage-2 window or not with why."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import InvitationsPublished, ProposalSubmitted
from shared.service import Runtime

from ..domain.notices import invitation_notice
from ..feed import announce_notice
from ..repository import get_case


async def announce_invitations(session: AsyncSession, runtime: Runtime, published: InvitationsPublished) -> None:
    for outcome in published.outcomes:
        case = await get_case(session, str(outcome.pre_proposal_id))
        if case is None:  # never submitted here (nothing a region was told of)
            continue
        submitted = ProposalSubmitted.model_validate(case.submission)
        regions = frozenset(partner.region_code for partner in submitted.partners)
        await announce_notice(session, runtime, invitation_notice(published, outcome, regions))
