"""A check with its decision history: who confirmed, overrode or closed it, when, with what verdict before and
after, and why, as the audit trail records it. A region reads only its own checks, an agency the consortium-level
ones (the checks each decides); any other check is a 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal

from ..access import decides
from ..models import PartnerCheck, audit_log
from ..repository import get_check


@dataclass(frozen=True)
class CheckHistory:
    check: PartnerCheck
    decisions: list[dict[str, Any]]  # the audit rows, oldest first


async def check_history(session: AsyncSession, reader: Principal, check_id: int) -> CheckHistory:
    check = await get_check(session, check_id)
    if check is None or not decides(reader, check.region_code):
        raise NotFound(f"No check {check_id} for {reader.label}.")
    rows = await session.execute(
        select(audit_log)
        .where(audit_log.c.entity == "check", audit_log.c.entity_id == str(check.id))
        .order_by(audit_log.c.id)
    )
    return CheckHistory(check, [dict(row._mapping) for row in rows])
