"""Anyone reads a published call; a draft only an agency (to anyone else it does not exist)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal, Role

from ..domain.lifecycle import CallStatus
from ..models import Call
from ..repository import get_call


async def read_call(session: AsyncSession, *, reader: Principal | None, call_id: str) -> Call:
    call = await get_call(session, call_id)
    agency = reader is not None and reader.role is Role.AGENCY
    if call is None or (call.status == CallStatus.DRAFT.value and not agency):
        raise NotFound(f"No published call {call_id}.")
    return call
