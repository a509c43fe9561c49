"""The proposals of a call: all for an agency, its own for a consortium, a page at a time."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal, Role
from shared.pagination import Window, key_after, window

from ..access import applicant_of
from ..models import Proposal
from ..repository import list_for_call


async def list_proposals(
    session: AsyncSession, *, reader: Principal, call_id: str, cursor: str | None, limit: int
) -> Window[Proposal]:
    applicant = applicant_of(reader) if reader.role is Role.CONSORTIUM else None
    after_id = key_after(cursor)
    proposals = await list_for_call(session, call_id, applicant_id=applicant, after_id=after_id, limit=limit)
    return window(proposals, limit, lambda proposal: proposal.id)
