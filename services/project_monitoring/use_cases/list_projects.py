"""The funded projects of a call: all for the agency, the ones a region funds, a consortium's own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal, Role
from shared.pagination import Window, key_after, window

from ..access import applicant_of, call_config
from ..models import Project
from ..repository import projects_page


async def projects_of(
    session: AsyncSession, principal: Principal, call_id: str, *, cursor: str | None, limit: int
) -> Window[Project]:
    await call_config(session, call_id)
    projects = await projects_page(
        session,
        call_id,
        region=principal.scope if principal.role is Role.REGION else None,
        applicant=applicant_of(principal) if principal.role is Role.CONSORTIUM else None,
        after=key_after(cursor),
        limit=limit,
    )
    return window(projects, limit, lambda project: project.proposal_id)
