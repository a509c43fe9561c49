"""Queries of project_monitoring: the only place that builds SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .domain.contracting import ContractStatus
from .domain.reporting import ReportStatus
from .models import Grant, PartnerContract, Project, ProposalCopy, Report


async def get_proposal_copy(
    session: AsyncSession, proposal_id: str, *, for_update: bool = False
) -> ProposalCopy | None:
    query = select(ProposalCopy).where(ProposalCopy.proposal_id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_project(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> Project | None:
    """The project; ``for_update``: locked, so steps on one project (its partners signed by several regions at
    once) queue and each sees the others' outcome. SQLite has no row locks: a no-op write first takes its
    database write lock for the transaction, before anything is read."""
    query = select(Project).where(Project.proposal_id == proposal_id)
    if for_update:
        if session.get_bind().dialect.name == "sqlite":
            await session.execute(
                update(Project).where(Project.proposal_id == proposal_id).values(proposal_id=Project.proposal_id)
            )
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def grants_of(session: AsyncSession, proposal_id: str) -> list[Grant]:
    query = select(Grant).where(Grant.proposal_id == proposal_id).order_by(Grant.region_code)
    return list((await session.execute(query)).scalars())


async def contracts_of(session: AsyncSession, proposal_id: str) -> list[PartnerContract]:
    query = select(PartnerContract).where(PartnerContract.proposal_id == proposal_id)
    return list((await session.execute(query.order_by(PartnerContract.partner_id))).scalars())


async def reports_of(session: AsyncSession, proposal_id: str) -> list[Report]:
    query = select(Report).where(Report.proposal_id == proposal_id).order_by(Report.period)
    return list((await session.execute(query)).scalars())


async def get_report(
    session: AsyncSession, proposal_id: str, period: int, *, for_update: bool = False
) -> Report | None:
    query = select(Report).where(Report.proposal_id == proposal_id, Report.period == period)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def projects_page(
    session: AsyncSession, call_id: str, *, region: str | None, applicant: str | None, after: str | None, limit: int
) -> list[Project]:
    """Projects of a call in id order (keyset): a region's only where it funds a grant, an applicant's own."""
    query = select(Project).where(Project.call_id == call_id)
    if region is not None:
        funded = select(Grant.proposal_id).where(Grant.call_id == call_id, Grant.region_code == region)
        query = query.where(Project.proposal_id.in_(funded))
    if applicant is not None:
        query = query.where(Project.applicant_id == applicant)
    if after is not None:
        query = query.where(Project.proposal_id > after)
    return list((await session.execute(query.order_by(Project.proposal_id).limit(limit))).scalars())


async def projects_of_call(session: AsyncSession, call_id: str) -> list[Project]:
    query = select(Project).where(Project.call_id == call_id).order_by(Project.proposal_id)
    return list((await session.execute(query)).scalars())


async def grants_of_call(session: AsyncSession, call_id: str) -> list[Grant]:
    return list((await session.execute(select(Grant).where(Grant.call_id == call_id))).scalars())


async def contracts_of_call(session: AsyncSession, call_id: str) -> list[PartnerContract]:
    query = select(PartnerContract).where(PartnerContract.call_id == call_id)
    return list((await session.execute(query)).scalars())


async def reports_of_call(session: AsyncSession, call_id: str) -> list[Report]:
    return list((await session.execute(select(Report).where(Report.call_id == call_id))).scalars())


async def offers_newly_overdue(session: AsyncSession, now: datetime, limit: int = 500) -> Sequence[PartnerContract]:
    query = (
        select(PartnerContract)
        .where(
            PartnerContract.status == ContractStatus.OFFERED,
            PartnerContract.overdue_since.is_(None),
            PartnerContract.due_at < now,
        )
        .order_by(PartnerContract.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def reports_newly_overdue(session: AsyncSession, now: datetime, limit: int = 500) -> Sequence[Report]:
    query = (
        select(Report)
        .where(Report.status == ReportStatus.DUE, Report.overdue_since.is_(None), Report.due_at < now)
        .order_by(Report.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())
