"""A period's joint report, as the principal may read it (a region sees only its own partners' statements: the
presenter leaves the others out)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.http.principal import Principal

from ..access import project_for
from ..models import Report
from ..repository import get_report


async def report_view(session: AsyncSession, principal: Principal, proposal_id: str, period: int) -> Report:
    await project_for(session, principal, proposal_id)
    report = await get_report(session, proposal_id, period)
    if report is None:
        raise NotFound(f"No reporting period {period} for project {proposal_id}.")
    return report
