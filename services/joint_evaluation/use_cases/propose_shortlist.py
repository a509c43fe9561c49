"""The shortlist a two-stage call's rules give now, with what-if on the factor, the regions' factors and budgets
(changes nothing; shortlisting.current_shortlist)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ..shortlisting import ShortlistView, WhatIf, current_shortlist


async def propose_shortlist(session: AsyncSession, call_id: str, what_if: WhatIf) -> ShortlistView:
    """The shortlist the rules give now (changes nothing)."""
    return await current_shortlist(session, call_id, what_if)
