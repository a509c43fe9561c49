"""How a funded proposal becomes a project: one grant per region funding it, one offer per funded partner.

From results.published (the first decisions) and reserve.funded (reserve proposals funded from money given
back): what the two share. Each offer is due ``monitoring.signature_days`` after it was made. Repeats change
nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.calls import CallConfiguration
from shared.errors import NotFound, RetryableError
from shared.events import PartnerSnapshot, ProposalSubmitted, RegionAmount
from shared.service import Runtime

from .access import call_config
from .domain.contracting import ContractStatus, ProjectStatus, due_at
from .models import Grant, PartnerContract, Project, audit_log
from .repository import get_project, get_proposal_copy


async def funded_call_config(session: AsyncSession, call_id: str) -> CallConfiguration:
    try:
        return await call_config(session, call_id)
    except NotFound as exc:
        raise RetryableError(f"call {call_id} not seen yet") from exc


async def fund_project(
    session: AsyncSession,
    runtime: Runtime,
    config: CallConfiguration,
    proposal_id: str,
    rank: int | None,
    grants: list[RegionAmount],
    funded_by: str,
) -> None:
    if await get_project(session, proposal_id) is not None:
        return
    copy = await get_proposal_copy(session, proposal_id)
    if copy is None:
        raise RetryableError(f"proposal {proposal_id} not seen yet")
    submitted = ProposalSubmitted.model_validate(copy.submission)
    now = runtime.clock.now()
    project = Project(
        proposal_id=proposal_id,
        call_id=copy.call_id,
        acronym=submitted.acronym,
        applicant_id=submitted.applicant_id,
        rank=rank,
        status=ProjectStatus.CONTRACTING.value,
        funded_by=funded_by,
        funded_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    funding_regions = {grant.region_code for grant in grants if grant.amount > 0}
    for grant in grants:
        if grant.region_code in funding_regions:
            session.add(_grant(proposal_id, copy.call_id, grant, now))
    offers = [
        _offer(submitted, partner, now, config.monitoring.signature_days)
        for partner in submitted.partners
        if partner.region_code in funding_regions and partner.partner_id not in copy.excluded_partners
    ]
    session.add_all(offers)
    await session.flush()
    funded = {g.region_code: f"{g.amount} {g.currency}" for g in grants if g.region_code in funding_regions}
    after = {"funded_by": funded_by, "grants": funded, "offers": [o.partner_id for o in offers]}
    await AuditTrail(session, audit_log, runtime.clock, "joint_evaluation").record(
        "project.funded", project.audited, after=after
    )


def _grant(proposal_id: str, call_id: str, grant: RegionAmount, now: datetime) -> Grant:
    return Grant(
        proposal_id=proposal_id,
        call_id=call_id,
        region_code=grant.region_code,
        currency=grant.currency,
        amount=grant.amount,
        payment_held=False,
        updated_at=now,
    )


def _offer(
    submitted: ProposalSubmitted, partner: PartnerSnapshot, now: datetime, signature_days: int
) -> PartnerContract:
    return PartnerContract(
        partner_id=partner.partner_id,
        proposal_id=str(submitted.proposal_id),
        call_id=str(submitted.call_id),
        region_code=partner.region_code,
        organisation_name=partner.organisation_name,
        role=partner.role,
        currency=partner.requested_funding.currency,
        amount=partner.requested_funding.amount,
        status=ContractStatus.OFFERED.value,
        offered_at=now,
        due_at=due_at(now, signature_days),
        released=False,
    )
