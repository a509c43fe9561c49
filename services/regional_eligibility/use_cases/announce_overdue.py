"""What project_monitoring finds late reaches the regions concerned: a partner's contract offer not signed by
its deadline (that partner's region), a report not submitted by its due date (each region whose next payment
it holds)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import GrantOverdue, ReportOverdue
from shared.service import Runtime

from ..domain.notices import Notice, grant_overdue_notice, payment_held_notice
from ..feed import announce
from ..repository import get_case


async def announce_grant_overdue(session: AsyncSession, runtime: Runtime, overdue: GrantOverdue) -> None:
    await _announce(session, runtime, grant_overdue_notice(overdue, await _acronym(session, overdue.proposal_id)))


async def announce_payment_held(session: AsyncSession, runtime: Runtime, overdue: ReportOverdue) -> None:
    await _announce(session, runtime, payment_held_notice(overdue, await _acronym(session, overdue.proposal_id)))


async def _acronym(session: AsyncSession, proposal_id: object) -> str | None:
    case = await get_case(session, str(proposal_id))
    return case.acronym if case is not None else None


async def _announce(session: AsyncSession, runtime: Runtime, notice: Notice) -> None:
    await announce(session, runtime, set(notice.regions), notice.kind, notice.proposal_id, notice.payload)
