"""The checks a caller decides, oldest first: a region its own partners', an agency the consortium-level ones
(rules on the proposal as a whole), a page at a time; `status` open (needing a human) or decided."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal, Role
from shared.pagination import Window, id_after, window

from ..domain.checks import CONSORTIUM, CheckVerdict
from ..models import PartnerCheck
from ..repository import region_checks


async def list_checks(
    session: AsyncSession,
    *,
    decider: Principal,
    call_id: str | None,
    status: str | None,
    verdict: CheckVerdict | None,
    cursor: str | None,
    limit: int,
) -> Window[PartnerCheck]:
    checks = await region_checks(
        session,
        CONSORTIUM if decider.role is Role.AGENCY else decider.scope or "",
        call_id=call_id,
        open_only=None if status is None else status == "open",
        verdict=verdict.value if verdict else None,
        after_id=id_after(cursor),
        limit=limit,
    )
    return window(checks, limit, lambda check: check.id)
