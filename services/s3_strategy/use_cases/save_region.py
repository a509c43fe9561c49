"""A region's back office (or the agency) replaces the region's whole set of priorities."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.service import Runtime

from ..access import ensure_may_edit
from ..domain.importing import parse_json
from ..domain.model import StoredRegion
from ..errors import InvalidPriorities
from ..priorities import store, unprefixed


async def save_region(
    session: AsyncSession, runtime: Runtime, actor: Principal, region_code: str, body: dict[str, Any]
) -> StoredRegion:
    """A region's whole set of priorities, replaced (the body is one region of the JSON import format)."""
    ensure_may_edit(actor, region_code)
    regions, errors = parse_json({"regions": [{**body, "code": region_code}]})
    if errors:
        raise InvalidPriorities(
            f"The priorities of {region_code} are not valid.", errors=[unprefixed(e) for e in errors]
        )
    [region] = regions
    [revision] = await store(session, runtime, actor, [region], action="priorities.saved")
    return StoredRegion(region, revision)
