"""Queries of regional_eligibility."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import PartnerCheck, ProposalCase


async def get_case(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> ProposalCase | None:
    query = select(ProposalCase).where(ProposalCase.proposal_id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def checks_of(session: AsyncSession, proposal_id: str, version: int, region: str | None) -> list[PartnerCheck]:
    query = (
        select(PartnerCheck)
        .where(PartnerCheck.proposal_id == proposal_id, PartnerCheck.proposal_version == version)
        .order_by(PartnerCheck.id)
    )
    if region is not None:
        query = query.where(PartnerCheck.region_code == region)
    return list((await session.execute(query)).scalars())


async def checks_of_region(
    session: AsyncSession, region: str, *, after_id: int | None, limit: int
) -> list[PartnerCheck]:
    query = select(PartnerCheck).where(PartnerCheck.region_code == region).order_by(PartnerCheck.id).limit(limit)
    if after_id is not None:
        query = query.where(PartnerCheck.id > after_id)
    return list((await session.execute(query)).scalars())
