"""An agency reads a call's audit trail: every change, who made it, when, before and after."""

from __future__ import annotations

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound

from ..repository import audit_of


async def read_audit(session: AsyncSession, *, call_id: str) -> list[RowMapping]:
    entries = await audit_of(session, call_id)
    if not entries:
        raise NotFound(f"No call {call_id}.")
    return entries
