"""Replacing regions' priorities: from a region's own edit, or from an agency's import (all or nothing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.errors import FieldError
from shared.http.auth import Principal
from shared.service import Runtime
from shared.wording import count

from ..domain.importing import parse_document, parse_json, region_to_json
from ..domain.model import RegionPriorities
from ..errors import InvalidPriorities
from ..models import Region, audit_log
from ..repository import as_domain, get_region, priorities_of, replace_priorities
from .access import ensure_may_edit


async def save_region(
    session: AsyncSession, runtime: Runtime, actor: Principal, region_code: str, body: dict[str, Any]
) -> RegionPriorities:
    """A region's whole set of priorities, replaced (the body is one region of the JSON import format)."""
    ensure_may_edit(actor, region_code)
    regions, errors = parse_json({"regions": [{**body, "code": region_code}]})
    if errors:
        raise InvalidPriorities(
            f"The priorities of {region_code} are not valid.", errors=[_unprefixed(e) for e in errors]
        )
    [region] = regions
    await store(session, runtime, actor, [region], action="priorities.saved")
    return region


async def import_regions(
    session: AsyncSession, runtime: Runtime, actor: Principal, content: bytes, content_type: str
) -> list[RegionPriorities]:
    """Every region of the file replaced; on any error, every error and nothing stored."""
    regions, errors = parse_document(content, content_type)
    if errors:
        raise InvalidPriorities(f"The file has {count(len(errors), 'error')}; nothing was imported.", errors=errors)
    for region in regions:
        ensure_may_edit(actor, region.code)
    await store(session, runtime, actor, regions, action="priorities.imported")
    return regions


async def store(
    session: AsyncSession, runtime: Runtime, actor: Principal, regions: list[RegionPriorities], *, action: str
) -> None:
    now = runtime.clock.now()
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
        await record_audit(
            session,
            audit_log,
            clock=runtime.clock,
            actor=actor.actor,
            action=action,
            entity="region",
            entity_id=region.code,
            call_id=None,
            before=before,
            after=region_to_json(region),
        )


def _unprefixed(error: FieldError) -> FieldError:
    field = error.field.removeprefix("regions.0").lstrip(".")
    return FieldError(field=field, message=error.message, location=error.location)
