"""Queries of proposal_intake. None of them reads more than one proposal's rows or one page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import IdempotentSubmission, Proposal, ProposalVersion, RegionPartner


async def get_proposal(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> Proposal | None:
    """With for_update, concurrent writers of this proposal queue behind each other."""
    query = select(Proposal).where(Proposal.id == proposal_id)
    if for_update:
        if session.get_bind().dialect.name == "sqlite":
            # SQLite has no row locks: a write as the first statement takes the database's
            # write lock now, so two submissions cannot both read the same current version.
            await session.execute(update(Proposal).where(Proposal.id == proposal_id).values(id=Proposal.id))
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_version(session: AsyncSession, proposal_id: str, version: int) -> ProposalVersion | None:
    return await session.get(ProposalVersion, (proposal_id, version))


async def versions_of(session: AsyncSession, proposal_id: str) -> list[ProposalVersion]:
    query = select(ProposalVersion).where(ProposalVersion.proposal_id == proposal_id).order_by(ProposalVersion.version)
    return list((await session.execute(query)).scalars())


async def list_for_call(
    session: AsyncSession, call_id: str, *, applicant_id: str | None, after_id: str | None, limit: int
) -> list[Proposal]:
    query = select(Proposal).where(Proposal.call_id == call_id).order_by(Proposal.id).limit(limit)
    if applicant_id is not None:
        query = query.where(Proposal.applicant_id == applicant_id)
    if after_id:
        query = query.where(Proposal.id > after_id)
    return list((await session.execute(query)).scalars())


async def partners_of_region(
    session: AsyncSession, call_id: str, region: str, *, after: tuple[str, str] | None, limit: int
) -> list[RegionPartner]:
    query = (
        select(RegionPartner)
        .where(RegionPartner.call_id == call_id, RegionPartner.region_code == region)
        .order_by(RegionPartner.proposal_id, RegionPartner.partner_key)
        .limit(limit)
    )
    if after is not None:
        query = query.where(
            (RegionPartner.proposal_id > after[0])
            | ((RegionPartner.proposal_id == after[0]) & (RegionPartner.partner_key > after[1]))
        )
    return list((await session.execute(query)).scalars())


async def replace_region_partners(
    session: AsyncSession, rows: list[dict[str, Any]], proposal_id: str, *, had_rows: bool = True
) -> None:
    """The proposal's partners by region become `rows` (RegionPartner column values), in two statements at
    most: one DELETE, unless had_rows=False (never submitted: nothing to delete), and one bulk INSERT."""
    if had_rows:
        await session.execute(
            delete(RegionPartner)
            .where(RegionPartner.proposal_id == proposal_id)
            .execution_options(synchronize_session="fetch")
        )
    if rows:
        await session.execute(insert(RegionPartner), rows)


async def idempotent_submission(session: AsyncSession, applicant_id: str, key: str) -> IdempotentSubmission | None:
    return await session.get(IdempotentSubmission, (applicant_id, key))
