"""A proposal, to its owner or an agency (to anyone else it does not exist)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal

from ..access import proposal_for
from ..models import Proposal


async def read_proposal(session: AsyncSession, *, reader: Principal, proposal_id: str) -> Proposal:
    return await proposal_for(session, reader, proposal_id)
