"""An agency sees, per region and for its own consortium-level items, how many checks are done, pending and
overdue in a call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.service import Runtime

from ..cases import call_config
from ..domain.progress import RegionCounts, progress_by_region
from ..repository import overview


async def read_overview(session: AsyncSession, runtime: Runtime, *, call_id: str) -> list[RegionCounts]:
    _call, config = await call_config(session, call_id, missing=NotFound)
    overdue = config.eligibility_check_due is not None and runtime.clock.now() >= config.eligibility_check_due
    return progress_by_region(await overview(session, call_id), overdue=overdue)
