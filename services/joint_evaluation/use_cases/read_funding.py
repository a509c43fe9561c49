"""The current funding decisions: all of them for an agency, its own part for a region taking part in the call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal, Role

from ..access import call_config
from ..views import FundingState, funding_state


@dataclass(frozen=True)
class FundingReading:
    state: FundingState
    region_code: str | None  # the reader's region (its own part only); None for an agency


async def read_funding(session: AsyncSession, *, reader: Principal, call_id: str) -> FundingReading:
    region = None
    if reader.role is Role.REGION:
        config = await call_config(session, call_id)
        if config.region(reader.scope or "") is None:
            raise NotFound(f"No call {call_id} for {reader.label}.")
        region = reader.scope
    return FundingReading(await funding_state(session, call_id), region)
