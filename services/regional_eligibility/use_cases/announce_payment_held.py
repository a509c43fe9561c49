"""A report not submitted by its due date, as project_monitoring found it, reaches each region whose next
payment it holds."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import ReportOverdue
from shared.service import Runtime

from ..domain.notices import payment_held_notice
from ..feed import announce_notice, case_acronym


async def announce_payment_held(session: AsyncSession, runtime: Runtime, overdue: ReportOverdue) -> None:
    await announce_notice(
        session, runtime, payment_held_notice(overdue, await case_acronym(session, overdue.proposal_id))
    )
