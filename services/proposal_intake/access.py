"""Who may touch which proposal: a consortium only its own (others get 404, as if it did not exist)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal, Role

from .call_cache import CallCache, KnownCall
from .domain.lifecycle import ProposalStatus, can_move
from .errors import ProposalWithdrawn
from .models import Proposal, call_copies
from .repository import AnyRow, get_proposal
from .unit_of_work import execute


def applicant_of(consortium: Principal) -> str:
    return consortium.scope or consortium.subject


async def proposal_for(
    session: AsyncSession, principal: Principal, proposal_id: str, *, for_update: bool = False
) -> Proposal:
    return visible_proposal(await get_proposal(session, proposal_id, for_update=for_update), principal, proposal_id)


P = TypeVar("P", Proposal, AnyRow)


def visible_proposal(proposal: P | None, principal: Principal, proposal_id: str) -> P:
    """The proposal (an ORM object or a row with applicant_id) if the principal may see it; else 404."""
    if proposal is None or (principal.role is not Role.AGENCY and proposal.applicant_id != applicant_of(principal)):
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal


def refuse_if_withdrawn(status: str, to: ProposalStatus | None = None) -> None:
    """Refused once the proposal is withdrawn; with `to`, unless the proposal may move there (TRANSITIONS,
    where only a withdrawn proposal has nowhere to go)."""
    if (status == ProposalStatus.WITHDRAWN) if to is None else not can_move(ProposalStatus(status), to):
        raise ProposalWithdrawn("The proposal was withdrawn: nothing more can happen to it.")


async def call_of(session: AsyncSession, calls: CallCache, call_id: str) -> KnownCall:
    """The local copy of the call, read at every request (an amendment or a status change counts at once).

    The stored snapshot is read as JSON text (CAST AS TEXT, or the driver would decode it); parsing and
    validating it (a whole call configuration, every region's rules) is done once per distinct text, by the
    app's CallCache, not on every draft, pre-check and submission.
    """
    text = (await execute(session, _CALL_SNAPSHOT, {"call_id": str(call_id)})).scalar()
    return calls.known(text, call_id)


_CALL_SNAPSHOT = select(cast(call_copies.c.snapshot, Text)).where(call_copies.c.call_id == bindparam("call_id"))
