"""Queries of call_definition."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Call


async def get_call(session: AsyncSession, call_id: str, *, for_update: bool = False) -> Call | None:
    query = select(Call).where(Call.id == call_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(Call.id).where(Call.code == code))).first() is not None


async def list_published(session: AsyncSession, *, after_id: str | None, limit: int) -> list[Call]:
    query = select(Call).where(Call.status != "draft").order_by(Call.id).limit(limit)
    if after_id:
        query = query.where(Call.id > after_id)
    return list((await session.execute(query)).scalars())
