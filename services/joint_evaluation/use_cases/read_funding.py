"""The current funding decisions: all of them for an agency, its own part for a region taking part in the call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal, Role

from ..access import call_config
from ..caches import FUNDING_ANSWERS
from ..views import FundingState, funding_inputs, state_of_funding


@dataclass(frozen=True)
class FundingReading:
    state: FundingState
    region_code: str | None  # the reader's region (its own part only); None for an agency


async def read_funding(
    session: AsyncSession,
    *,
    reader: Principal,
    call_id: str,
    view: str,
    present: Callable[[FundingReading], bytes],
) -> bytes:
    """The reader's funding as `present` writes it (for `view`), kept by everything it is written from (the
    selection meeting's page reads the funding of 5,000 proposals on every load after the decision): the round
    (a round never changes once written), the regions' confirmations as stored, the publication, the reader's
    region; on a kept answer the state (the regions' status over every decision) is not computed at all."""
    region = None
    if reader.role is Role.REGION:
        config = await call_config(session, call_id)
        if config.region(reader.scope or "") is None:
            raise NotFound(f"No call {call_id} for {reader.label}.")
        region = reader.scope
    inputs = await funding_inputs(session, call_id)

    async def written() -> bytes:
        return present(FundingReading(state_of_funding(inputs), region))

    return await FUNDING_ANSWERS.kept(session, (*inputs.key(), region, view), written)
