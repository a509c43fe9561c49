"""Every region's change feed, and the webhook deliveries that follow it, in one transaction
with the change itself: a back office polling the feed or receiving webhooks misses nothing.
Nothing is sent here: the delivery loop (use_cases/deliver_webhooks.py) sends them, outside any
business transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.service import Runtime

from .domain.notices import Notice
from .models import RegionEvent
from .repository import append_feed, get_case, lock_feed, queue_deliveries


@dataclass(frozen=True)
class FeedEntry:
    """One event of one region's feed, before it is written."""

    region: str
    kind: str
    proposal_id: str
    payload: dict[str, Any]  # the payload names the region too


def feed_entries(regions: Iterable[str], kind: str, proposal_id: str, payload: dict[str, Any]) -> list[FeedEntry]:
    """`kind` for each region, in the regions' order (sorted)."""
    return [FeedEntry(region, kind, proposal_id, {**payload, "region": region}) for region in sorted(regions)]


async def announce(
    session: AsyncSession,
    runtime: Runtime,
    regions: set[str],
    kind: str,
    proposal_id: str,
    payload: dict[str, Any],
) -> None:
    """Append `kind` to the feed of each region (ids in commit order: the feed lock)."""
    await announce_all(session, runtime, feed_entries(regions, kind, proposal_id, payload))


async def announce_all(session: AsyncSession, runtime: Runtime, entries: list[FeedEntry]) -> None:
    """Append the entries to their regions' feeds in their order (ids in commit order: the feed lock), with their
    webhook deliveries: a few statements, however many entries and subscribers."""
    if not entries:
        return
    await lock_feed(session)
    now = runtime.clock.now()
    rows = [
        {"region_code": e.region, "type": e.kind, "proposal_id": e.proposal_id, "payload": e.payload, "created_at": now}
        for e in entries
    ]
    await queue_deliveries(session, await append_feed(session, rows), now)


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
