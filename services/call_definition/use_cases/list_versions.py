"""Anyone reads every published version of a call: who amended it, when and why."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound

from ..models import CallVersion
from ..repository import versions_of


async def list_versions(session: AsyncSession, *, call_id: str) -> list[CallVersion]:
    versions = await versions_of(session, call_id)
    if not versions:
        raise NotFound(f"No published call {call_id}.")
    return versions
