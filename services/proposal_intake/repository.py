"""Queries of proposal_intake."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Proposal, ProposalVersion


async def get_proposal(session: AsyncSession, proposal_id: str) -> Proposal | None:
    return await session.get(Proposal, proposal_id)


async def get_version(session: AsyncSession, proposal_id: str, version: int) -> ProposalVersion | None:
    return await session.get(ProposalVersion, (proposal_id, version))


async def list_for_call(
    session: AsyncSession, call_id: str, *, applicant_id: str | None, after_id: str | None, limit: int
) -> list[Proposal]:
    query = select(Proposal).where(Proposal.call_id == call_id).order_by(Proposal.id).limit(limit)
    if applicant_id is not None:
        query = query.where(Proposal.applicant_id == applicant_id)
    if after_id:
        query = query.where(Proposal.id > after_id)
    return list((await session.execute(query)).scalars())
