"""A region reads its own partners in a call's submitted proposals, a page at a time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.pagination import Window, keys_after, window

from ..models import RegionPartner
from ..repository import partners_of_region


async def list_region_partners(
    session: AsyncSession, *, region: Principal, call_id: str, cursor: str | None, limit: int
) -> Window[RegionPartner]:
    after = keys_after(cursor, 2)
    rows = await partners_of_region(
        session, call_id, region.scope or "", after=(after[0], after[1]) if after else None, limit=limit
    )
    return window(rows, limit, lambda row: (row.proposal_id, row.partner_key))
