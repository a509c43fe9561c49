"""A proposal's submitted versions, each with its hash (its owner or an agency)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal

from ..access import proposal_for
from ..models import ProposalVersion
from ..repository import versions_of


async def list_versions(session: AsyncSession, *, reader: Principal, proposal_id: str) -> list[ProposalVersion]:
    proposal = await proposal_for(session, reader, proposal_id)
    return await versions_of(session, proposal.id)
