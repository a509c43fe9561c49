"""Who may touch which proposal: a consortium only its own (others get 404, as if it did not exist)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import Conflict, NotFound
from shared.events import CallSnapshot
from shared.http.auth import Principal, Role
from shared.readmodel import load_call_copy

from ..models import Proposal, call_copies
from ..repository import get_proposal


def applicant_of(consortium: Principal) -> str:
    return consortium.scope or consortium.subject


async def proposal_for(
    session: AsyncSession, principal: Principal, proposal_id: str, *, for_update: bool = False
) -> Proposal:
    proposal = await get_proposal(session, proposal_id, for_update=for_update)
    if proposal is None or (principal.role is not Role.AGENCY and proposal.applicant_id != applicant_of(principal)):
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal


def refuse_if_withdrawn(proposal: Proposal) -> None:
    if proposal.status == "withdrawn":
        raise Conflict("The proposal was withdrawn: nothing more can happen to it.")


async def call_of(session: AsyncSession, call_id: str) -> tuple[CallSnapshot, CallConfiguration]:
    call = await load_call_copy(session, call_copies, call_id)
    if call is None or call.configuration is None:
        raise NotFound(f"No published call {call_id}.")
    return call, call.configuration
