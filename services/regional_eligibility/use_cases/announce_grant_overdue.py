"""A partner's contract offer not signed by its deadline, as project_monitoring found it, reaches that partner's
region."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import GrantOverdue
from shared.service import Runtime

from ..domain.notices import grant_overdue_notice
from ..feed import announce_notice, case_acronym


async def announce_grant_overdue(session: AsyncSession, runtime: Runtime, overdue: GrantOverdue) -> None:
    await announce_notice(
        session, runtime, grant_overdue_notice(overdue, await case_acronym(session, overdue.proposal_id))
    )
