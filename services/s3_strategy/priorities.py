"""Replacing regions' priorities, audited: what a region's own edit and an agency's import share."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.errors import FieldError
from shared.http.principal import Principal
from shared.service import Runtime

from .domain.importing import region_to_json
from .domain.model import RegionPriorities
from .models import Region, audit_log
from .repository import as_domain, get_region, priorities_of, replace_priorities


async def store(
    session: AsyncSession, runtime: Runtime, actor: Principal, regions: list[RegionPriorities], *, action: str
) -> list[int]:
    """Each region's priorities replaced and audited; their new revisions, in order."""
    now = runtime.clock.now()
    trail = AuditTrail(session, audit_log, runtime.clock, actor.actor)
    revisions: list[int] = []
    previous = await priorities_of(session, [r.code for r in regions])
    for region in regions:
        row = await get_region(session, region.code, for_update=True)
        before = region_to_json(as_domain(row, previous[region.code])) if row else None
        if row is None:
            row = Region(code=region.code, revision=0)
            session.add(row)
        row.name, row.currency, row.source = region.name, region.currency, region.source
        row.revision += 1
        row.updated_at, row.updated_by = now, actor.label
        await session.flush()
        await replace_priorities(session, region.code, region.priorities)
        about = Audited("region", region.code, None)  # priorities belong to no call
        await trail.record(action, about, before=before, after=region_to_json(region))
        revisions.append(row.revision)
    return revisions


def unprefixed(error: FieldError) -> FieldError:
    """An error of a one-region import document, named as in the region's own body."""
    field = error.field.removeprefix("regions.0").lstrip(".")
    return FieldError(field=field, message=error.message, location=error.location)
