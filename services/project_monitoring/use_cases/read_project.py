"""A project, as the principal may read it: its grants, its partners' contracting, its reporting periods."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal

from ..projects import ProjectView, project_view


async def read_project(session: AsyncSession, *, reader: Principal, proposal_id: str) -> ProjectView:
    return await project_view(session, reader, proposal_id)
