"""A proposal's eligibility case: an agency sees all its checks, a region only its own partners' (a case without
the region's partners is a 404 to it, as if it did not exist)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.events import ProposalSubmitted
from shared.http.principal import Principal, Role

from ..models import PartnerCheck, ProposalCase
from ..repository import current_checks, get_case


@dataclass(frozen=True)
class CaseView:
    case: ProposalCase
    checks: list[PartnerCheck]


async def read_case(session: AsyncSession, *, reader: Principal, proposal_id: str) -> CaseView:
    case = await get_case(session, proposal_id)
    region = reader.scope if reader.role is Role.REGION else None
    checks = await current_checks(session, proposal_id, region) if case else []
    submitted = ProposalSubmitted.model_validate(case.submission) if case else None
    if case is None or submitted is None or (region and region not in {p.region_code for p in submitted.partners}):
        raise NotFound(f"No eligibility case {proposal_id} for {reader.label}.")
    return CaseView(case, checks)
