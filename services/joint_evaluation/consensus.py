"""What setting and finalising a consensus share: the consensus locked for update, refused once final."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime

from .errors import ConsensusFinal
from .models import Consensus
from .repository import consensus_row_for_update


async def consensus_for_update(session: AsyncSession, call_id: str, proposal_id: str, runtime: Runtime) -> Consensus:
    return await consensus_row_for_update(session, call_id, proposal_id, runtime.clock.now())


def refuse_if_final(consensus: Consensus) -> None:
    if consensus.finalised_at is not None:
        raise ConsensusFinal("The consensus of this proposal is final.")
