"""Queries of s3_strategy."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .domain.model import Priority, RegionPriorities
from .models import PriorityRow, Region, TopicCall, audit_log


async def get_region(session: AsyncSession, code: str, *, for_update: bool = False) -> Region | None:
    query = select(Region).where(Region.code == code)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def list_regions(session: AsyncSession, *, after: str | None, limit: int) -> list[Region]:
    query = select(Region).order_by(Region.code).limit(limit)
    if after:
        query = query.where(Region.code > after)
    return list((await session.execute(query)).scalars())


async def priorities_of(session: AsyncSession, codes: list[str]) -> dict[str, list[PriorityRow]]:
    rows = (
        await session.execute(
            select(PriorityRow)
            .where(PriorityRow.region_code.in_(codes))
            .order_by(PriorityRow.region_code, PriorityRow.key)
        )
    ).scalars()
    found: dict[str, list[PriorityRow]] = {code: [] for code in codes}
    for row in rows:
        found[row.region_code].append(row)
    return found


async def all_region_priorities(session: AsyncSession) -> list[RegionPriorities]:
    """Every region with its priorities, as the domain takes them."""
    regions = list((await session.execute(select(Region).order_by(Region.code))).scalars())
    rows = await priorities_of(session, [r.code for r in regions])
    return [as_domain(region, rows[region.code]) for region in regions]


async def replace_priorities(session: AsyncSession, region_code: str, priorities: tuple[Priority, ...]) -> None:
    await session.execute(delete(PriorityRow).where(PriorityRow.region_code == region_code))
    session.add_all(
        PriorityRow(
            region_code=region_code,
            key=p.key,
            title=p.title,
            description=p.description,
            nace=list(p.nace),
            nabs=list(p.nabs),
            objectives=list(p.objectives),
            indicative_budget=None if p.indicative_budget is None else f"{p.indicative_budget:.2f}",
            programme=p.programme,
        )
        for p in priorities
    )
    await session.flush()


def as_domain(region: Region, rows: list[PriorityRow]) -> RegionPriorities:
    return RegionPriorities(
        code=region.code,
        name=region.name,
        currency=region.currency,
        source=region.source,
        priorities=tuple(
            Priority(
                key=row.key,
                title=row.title,
                description=row.description,
                nace=tuple(row.nace),
                nabs=tuple(row.nabs),
                objectives=tuple(row.objectives),
                indicative_budget=None if row.indicative_budget is None else Decimal(row.indicative_budget),
                programme=row.programme,
            )
            for row in rows
        ),
    )


async def calls_of_topic(session: AsyncSession, topic_id: str) -> list[TopicCall]:
    query = select(TopicCall).where(TopicCall.topic_id == topic_id).order_by(TopicCall.created_at, TopicCall.id)
    return list((await session.execute(query)).scalars())


async def audit_of_region(session: AsyncSession, code: str) -> list[RowMapping]:
    query = (
        select(audit_log).where(audit_log.c.entity == "region", audit_log.c.entity_id == code).order_by(audit_log.c.id)
    )
    return list((await session.execute(query)).mappings())
