"""Every region's change feed, and the webhook deliveries that follow it, in one transaction
with the change itself: a back office polling the feed or receiving webhooks misses nothing.
Nothing is sent here: the delivery loop (use_cases/deliver_webhooks.py) sends them, outside any
business transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime

from .domain.notices import Notice
from .models import RegionEvent
from .repository import get_case, lock_feed, queue_deliveries


async def announce(
    session: AsyncSession,
    runtime: Runtime,
    regions: set[str],
    kind: str,
    proposal_id: str,
    payload: dict[str, Any],
) -> None:
    """Append `kind` to the feed of each region (ids in commit order: the feed lock)."""
    if not regions:
        return
    await lock_feed(session)
    now = runtime.clock.now()
    for region in sorted(regions):
        event = RegionEvent(
            region_code=region,
            type=kind,
            proposal_id=proposal_id,
            payload={**payload, "region": region},
            created_at=now,
        )
        session.add(event)
        await session.flush()
        await queue_deliveries(session, region, event.id, now)


async def announce_notice(session: AsyncSession, runtime: Runtime, notice: Notice) -> None:
    """Append a notice to the feed of each region it concerns."""
    await announce(session, runtime, set(notice.regions), notice.kind, notice.proposal_id, notice.payload)


async def case_acronym(session: AsyncSession, proposal_id: object) -> str | None:
    """The acronym a notice about a proposal names (None for a proposal never submitted here)."""
    case = await get_case(session, str(proposal_id))
    return case.acronym if case is not None else None


def event_body(event: RegionEvent) -> bytes:
    """A feed event as the feed serves it and a webhook delivers it (the signed bytes)."""
    document = {
        "id": event.id,
        "type": event.type,
        "region": event.region_code,
        "proposal_id": event.proposal_id,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), default=str).encode()
