"""A region reads one of its partners: its data as submitted and every rule's verdict (another region's partner
is a 404, as if it did not exist)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound
from shared.events import PartnerSnapshot, ProposalSubmitted
from shared.http.principal import Principal

from ..models import PartnerCheck
from ..repository import checks_of_partner, get_case


@dataclass(frozen=True)
class PartnerView:
    proposal_id: str
    partner: PartnerSnapshot
    checks: list[PartnerCheck]


async def read_partner(session: AsyncSession, *, region: Principal, partner_id: str) -> PartnerView:
    checks = await checks_of_partner(session, partner_id)
    case = await get_case(session, checks[0].proposal_id) if checks else None
    submitted = ProposalSubmitted.model_validate(case.submission) if case else None
    partner = next((p for p in submitted.partners if p.partner_id == partner_id), None) if submitted else None
    if partner is None or partner.region_code != region.scope:
        raise NotFound(f"No partner {partner_id} in region {region.scope}.")
    return PartnerView(checks[0].proposal_id, partner, checks)
