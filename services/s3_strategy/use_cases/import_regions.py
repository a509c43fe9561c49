"""An agency (or a region, for its own) imports regions' priorities from JSON or CSV: all or nothing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.service import Runtime
from shared.wording import count

from ..access import ensure_may_edit
from ..domain.importing import parse_document
from ..domain.model import RegionPriorities
from ..errors import InvalidPriorities
from ..priorities import store


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
