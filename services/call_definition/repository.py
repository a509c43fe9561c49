"""Queries of call_definition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from .domain.lifecycle import CallStatus
from .models import Call, CallVersion, audit_log


async def get_call(session: AsyncSession, call_id: str, *, for_update: bool = False) -> Call | None:
    query = select(Call).where(Call.id == call_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(Call.id).where(Call.code == code))).first() is not None


async def list_public(session: AsyncSession, *, now: datetime, after_id: str | None, limit: int) -> list[Call]:
    """Published calls whose final deadline is still ahead: open and upcoming."""
    query = (
        select(Call)
        .where(Call.status.in_((CallStatus.PUBLISHED, CallStatus.OPEN)), Call.deadline > now)
        .order_by(Call.id)
        .limit(limit)
    )
    if after_id:
        query = query.where(Call.id > after_id)
    return list((await session.execute(query)).scalars())


async def list_all(session: AsyncSession, *, status: str | None, after_id: str | None, limit: int) -> list[Call]:
    query = select(Call).order_by(Call.id).limit(limit)
    if status:
        query = query.where(Call.status == status)
    if after_id:
        query = query.where(Call.id > after_id)
    return list((await session.execute(query)).scalars())


async def calls_behind_the_clock(session: AsyncSession, now: datetime, limit: int = 100) -> list[Call]:
    """Calls the clock is due to look at (a stage's opening or deadline has come): see Call.clock_due_at."""
    query = (
        select(Call)
        .where(Call.status.in_((CallStatus.PUBLISHED, CallStatus.OPEN)), Call.clock_due_at <= now)
        .order_by(Call.clock_due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def versions_of(session: AsyncSession, call_id: str) -> list[CallVersion]:
    query = select(CallVersion).where(CallVersion.call_id == call_id).order_by(CallVersion.version)
    return list((await session.execute(query)).scalars())


async def audit_of(session: AsyncSession, call_id: str) -> list[RowMapping]:
    query = (
        select(audit_log).where(audit_log.c.entity == "call", audit_log.c.entity_id == call_id).order_by(audit_log.c.id)
    )
    return list((await session.execute(query)).mappings())
