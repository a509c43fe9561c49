"""A project as a principal may read it (its grants, contracting and reports): what reading a project and
recording a contracting step both answer with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal

from .access import project_for
from .models import Grant, PartnerContract, Project, Report
from .repository import contracts_of, grants_of, reports_of


@dataclass(frozen=True)
class ProjectView:
    project: Project
    grants: list[Grant]
    contracts: list[PartnerContract]
    reports: list[Report]


async def project_view(session: AsyncSession, principal: Principal, proposal_id: str) -> ProjectView:
    project = await project_for(session, principal, proposal_id)
    return ProjectView(
        project,
        await grants_of(session, proposal_id),
        await contracts_of(session, proposal_id),
        await reports_of(session, proposal_id),
    )
