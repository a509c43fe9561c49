"""A proposal in evaluation: everything for an agency; for an assigned evaluator the proposal and its own
assessment (the others' scores once the consensus is final)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal, Role

from ..access import entry_of, proposal_for_evaluator
from ..views import ProposalState, proposal_state


@dataclass(frozen=True)
class ProposalReading:
    state: ProposalState
    evaluator_id: str | None  # the reader's own id, if an evaluator reads it


async def read_proposal(session: AsyncSession, *, reader: Principal, proposal_id: str) -> ProposalReading:
    if reader.role is Role.EVALUATOR:
        entry, evaluator, _ = await proposal_for_evaluator(session, reader, proposal_id)
        return ProposalReading(await proposal_state(session, entry), evaluator.id)
    return ProposalReading(await proposal_state(session, await entry_of(session, proposal_id)), None)
