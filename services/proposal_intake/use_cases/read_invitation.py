"""A consortium (or an agency) reads a pre-proposal's outcome at the shortlist: invited with the stage-2
deadline, or the reasons it was not (its scores, a region's no-go, or a region's cap reached)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal

from ..access import visible_proposal
from ..domain.lifecycle import InvitationStatus
from ..repository import full_proposal_of, invitation_of, proposal_with_call


@dataclass(frozen=True)
class InvitationView:
    pre_proposal_id: str
    status: str
    invited: bool
    reasons: list[str]
    stage_two_opens: datetime
    stage_two_deadline: datetime
    published_at: datetime
    full_proposal_id: str | None


async def read_invitation(session: AsyncSession, reader: Principal, proposal_id: str) -> InvitationView:
    """The outcome of the proposal's pre-proposal (the proposal itself, or the one a full proposal grew from)."""
    proposal = visible_proposal(await proposal_with_call(session, proposal_id), reader, proposal_id)
    pre_proposal_id = proposal.pre_proposal_id if proposal.stage == 2 else proposal.id
    invitation = await invitation_of(session, pre_proposal_id)
    if invitation is None:
        raise NotFound("No shortlist has been published for this pre-proposal yet.")
    return InvitationView(
        pre_proposal_id=pre_proposal_id,
        status=invitation.status,
        invited=invitation.status == InvitationStatus.INVITED,
        reasons=list(invitation.reasons),
        stage_two_opens=invitation.stage_two_opens,
        stage_two_deadline=invitation.stage_two_deadline,
        published_at=invitation.published_at,
        full_proposal_id=await full_proposal_of(session, pre_proposal_id),
    )
