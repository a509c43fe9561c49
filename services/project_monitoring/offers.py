"""What follows a step of contracting (``domain.contracting.project_outcome``): the project starts once every
offer is settled and the partners that signed may go on, or is cancelled; money that falls away goes back to its
region (funds.released, for joint_evaluation to offer it down the reserve list). What recording a contracting
step does after the step itself."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.calls import CallConfiguration
from shared.events import FundsReleased, ProjectStarted, ProposalSubmitted, RegionAmount
from shared.messaging.outbox import emit
from shared.rules.consortium import evaluate_consortium
from shared.rules.model import Outcome
from shared.service import Runtime

from .domain.contracting import (
    ContractStatus,
    Offer,
    ProjectStatus,
    can_move_project,
    project_outcome,
    released_by_region,
)
from .domain.reporting import ReportStatus, schedule
from .errors import ProjectTransitionRefused
from .models import PartnerContract, Project, Report
from .repository import get_proposal_copy, grants_of


async def follow_contracting(
    session: AsyncSession,
    runtime: Runtime,
    config: CallConfiguration,
    project: Project,
    contracts: list[PartnerContract],
    trail: AuditTrail,
) -> None:
    """Move the project on from its offers: release money that fell away, start or cancel it (audited on
    `trail`)."""
    offers = [Offer(c.partner_id, c.region_code, c.amount, ContractStatus(c.status), c.released) for c in contracts]
    copy = await get_proposal_copy(session, project.proposal_id)
    assert copy is not None  # a project is made from its proposal's copy
    submitted = ProposalSubmitted.model_validate(copy.submission)
    outcome = project_outcome(
        offers,
        config.monitoring.missing_partner_policy,
        lambda going_on: consortium_failures(config, submitted, going_on),
    )
    now = runtime.clock.now()
    if outcome.release:
        await _release(session, runtime, trail, project, contracts, offers, outcome.release, outcome.status)
    if outcome.status is ProjectStatus(project.status):
        return
    if not can_move_project(ProjectStatus(project.status), outcome.status):
        raise ProjectTransitionRefused(
            f"Project {project.proposal_id} is {project.status}: it cannot become {outcome.status}.",
            extra={"project_status": project.status, "target": outcome.status.value},
        )
    before = {"status": project.status}
    project.status, project.updated_at = outcome.status.value, now
    if outcome.status is ProjectStatus.CANCELLED:
        project.cancelled_reason = "; ".join(outcome.reasons)
    else:
        project.started_at = now
        await _schedule_reports(session, config, project, now)
        signed = [c.partner_id for c in contracts if c.status == ContractStatus.SIGNED]
        started = ProjectStarted(
            call_id=uuid.UUID(project.call_id),
            proposal_id=uuid.UUID(project.proposal_id),
            acronym=project.acronym,
            started_at=now,
            partners=signed,
        )
        await emit(
            session, runtime.tables, started, source=runtime.name, subject=project.proposal_id, clock=runtime.clock
        )
    await session.flush()
    after = {"status": project.status}
    await trail.record(
        f"project.{project.status}", project.audited, before=before, after=after, reason=project.cancelled_reason
    )


async def _release(
    session: AsyncSession,
    runtime: Runtime,
    trail: AuditTrail,
    project: Project,
    contracts: list[PartnerContract],
    offers: list[Offer],
    partner_ids: tuple[str, ...],
    status: ProjectStatus,
) -> None:
    amounts = released_by_region(offers, partner_ids)
    for contract in contracts:
        if contract.partner_id in partner_ids:
            contract.released = True
    grants = {grant.region_code: grant for grant in await grants_of(session, project.proposal_id)}
    for region_code, amount in amounts.items():
        grants[region_code].amount -= amount
        grants[region_code].updated_at = runtime.clock.now()
    cancelled = status is ProjectStatus.CANCELLED
    why = "project cancelled" if cancelled else "partners lost: " + ", ".join(partner_ids)
    released = FundsReleased(
        call_id=uuid.UUID(project.call_id),
        proposal_id=uuid.UUID(project.proposal_id),
        released_at=runtime.clock.now(),
        released=[
            RegionAmount(region_code=r, amount=a, currency=grants[r].currency) for r, a in sorted(amounts.items())
        ],
        project_cancelled=cancelled,
        reason=why,
    )
    await session.flush()
    if amounts:
        await emit(
            session, runtime.tables, released, source=runtime.name, subject=project.proposal_id, clock=runtime.clock
        )
    await trail.record("funds.released", project.audited, after={r: str(a) for r, a in amounts.items()}, reason=why)


async def _schedule_reports(session: AsyncSession, config: CallConfiguration, project: Project, now: datetime) -> None:
    monitoring = config.monitoring
    for period in schedule(
        now, monitoring.report_every_months, monitoring.reporting_periods, monitoring.report_due_days
    ):
        session.add(
            Report(
                proposal_id=project.proposal_id,
                call_id=project.call_id,
                period=period.number,
                final=period.final,
                starts_at=period.starts_at,
                ends_at=period.ends_at,
                due_at=period.due_at,
                status=ReportStatus.DUE,
                submissions=0,
                indicators={},
                statements={},
                reviews={},
            )
        )


def consortium_failures(config: CallConfiguration, submitted: ProposalSubmitted, going_on: frozenset[str]) -> list[str]:
    """The consortium rules the partners that go on fail (as eligibility's drop-partner policy checks them)."""
    funding_regions = {region.code for region in config.regions}
    lost = frozenset(
        p.partner_id for p in submitted.partners if p.partner_id not in going_on and p.region_code in funding_regions
    )
    facts = submitted.rule_facts(without=lost)
    if facts is None:  # cannot happen for a submitted proposal: submission requires what the engine judges
        return []
    verdicts = evaluate_consortium(
        config.consortium_rules_for_engine(),
        facts,
        {r.code: r.currency for r in config.regions},
        config.reporting_rates(),
        reporting_currency=config.funding.reporting_currency,
    )
    about_the_proposal = {"consortium.duration", "consortium.trl"}  # not about who is in it
    return [v.reason for v in verdicts if v.outcome is Outcome.FAIL and v.rule not in about_the_proposal]
