"""Who may see and do what on a project.

The agency sees everything. A region sees the projects it funds (a grant of its own), the joint narrative and
indicators, and only its own partners' money: its grants, offers and financial statements; another region's
partners appear without amounts. A consortium sees its own projects whole and reports on them. Anything else is
404, as if it did not exist.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import NotFound
from shared.http.principal import Principal, Role
from shared.readmodel import load_call_copy

from .models import Project, call_copies
from .repository import get_project, grants_of


async def call_config(session: AsyncSession, call_id: str) -> CallConfiguration:
    call = await load_call_copy(session, call_copies, call_id)
    if call is None or call.configuration is None:
        raise NotFound(f"No published call {call_id}.")
    return call.configuration


def applicant_of(principal: Principal) -> str:
    return principal.scope or principal.subject


async def project_for(
    session: AsyncSession, principal: Principal, proposal_id: str, *, for_update: bool = False
) -> Project:
    """The project if the principal may see it; else 404."""
    project = await get_project(session, proposal_id, for_update=for_update)
    if project is not None and await may_see(session, principal, project):
        return project
    raise NotFound(f"No project {proposal_id} for {principal.label}.")


async def may_see(session: AsyncSession, principal: Principal, project: Project) -> bool:
    if principal.role is Role.AGENCY:
        return True
    if principal.role is Role.CONSORTIUM:
        return project.applicant_id == applicant_of(principal)
    if principal.role is Role.REGION:
        return any(grant.region_code == principal.scope for grant in await grants_of(session, project.proposal_id))
    return False


def finances_visible(principal: Principal, region_code: str) -> bool:
    """May the principal see the money of a partner (or grant) of ``region_code``?"""
    return principal.role is not Role.REGION or principal.scope == region_code
