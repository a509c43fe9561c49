"""A region records the contracting of one of its partners: signed, declined, or withdrawn by the partner.

After each step the project follows (``domain.contracting.project_outcome``): it starts once every offer is
settled and the partners that signed may go on; money that falls away goes back to its region
(funds.released, for joint_evaluation to offer it down the reserve list).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.calls import CallConfiguration
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.events import (
    FundsReleased,
    GrantContracting,
    GrantDeclined,
    GrantSigned,
    ProjectStarted,
    ProposalSubmitted,
    RegionAmount,
)
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.money import Money
from shared.rules.consortium import evaluate_consortium
from shared.rules.model import Outcome
from shared.service import Runtime

from ..access import call_config, project_for
from ..domain.contracting import (
    ContractAction,
    ContractStatus,
    Offer,
    ProjectStatus,
    can_move_project,
    contract_refusal,
    days_between,
    next_status,
    offer_actions,
    project_outcome,
    released_by_region,
)
from ..domain.reporting import ReportStatus, schedule
from ..errors import ContractStepRefused, ProjectTransitionRefused
from ..metrics import TIME_TO_CONTRACT
from ..models import PartnerContract, Project, Report, audit_log
from ..projects import ProjectView, project_view
from ..repository import contracts_of, get_proposal_copy, grants_of

SOURCE = "project_monitoring"


async def act_on_offer(
    session: AsyncSession,
    runtime: Runtime,
    region: Principal,
    proposal_id: str,
    partner_key: str,
    action: ContractAction,
    *,
    reference: str | None = None,
    signed_on: date | None = None,
    reason: str | None = None,
) -> ProjectView:
    """The project after the step, as the region may read it."""
    _require_what_the_step_needs(action, reference, reason)
    project = await project_for(session, region, proposal_id, for_update=True)
    contracts = await contracts_of(session, proposal_id)
    contract = next((c for c in contracts if c.partner_id == f"{proposal_id}:{partner_key}"), None)
    if contract is None or contract.region_code != region.scope:
        raise NotFound(f"No offer to partner {partner_key} of project {proposal_id} for {region.label}.")
    refusal = contract_refusal(ContractStatus(contract.status), action, ProjectStatus(project.status))
    if refusal:
        raise ContractStepRefused(
            f"Partner {partner_key}: {refusal}.",
            extra={
                "offer_status": contract.status,
                "project_status": project.status,
                "allowed": offer_actions(ContractStatus(contract.status))
                if project.status == ProjectStatus.CONTRACTING
                else [],
            },
        )
    now = runtime.clock.now()
    settled_at = datetime.combine(signed_on, time(12), tzinfo=now.tzinfo) if signed_on else now
    if settled_at > now or settled_at < contract.offered_at:
        raise ValidationFailed(
            "The signature date must lie between the offer and today.",
            errors=[FieldError("signed_on", f"between {contract.offered_at.date()} and {now.date()}")],
        )
    before = {"status": contract.status}
    contract.status = next_status(ContractStatus(contract.status), action).value
    contract.settled_at, contract.reference, contract.reason = settled_at, reference, reason
    await session.flush()
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=region.actor,
        action=f"contract.{contract.status}",
        entity="partner_contract",
        entity_id=contract.partner_id,
        call_id=contract.call_id,
        before=before,
        after={"status": contract.status, "reference": reference},
        reason=reason,
    )
    await emit(
        session, runtime.tables, _step_event(contract, now), source=SOURCE, subject=proposal_id, clock=runtime.clock
    )
    if contract.status == ContractStatus.SIGNED:
        TIME_TO_CONTRACT.labels(contract.region_code).observe(days_between(contract.offered_at, settled_at))
    config = await call_config(session, project.call_id)
    await follow_contracting(session, runtime, config, project, contracts, actor=region.actor)
    return await project_view(session, region, proposal_id)


def _require_what_the_step_needs(action: ContractAction, reference: str | None, reason: str | None) -> None:
    if action is ContractAction.SIGN and reference is None:
        raise ValidationFailed(
            "A signature needs the grant agreement's reference.",
            errors=[FieldError("reference", "required to sign")],
        )
    if action is not ContractAction.SIGN and reason is None:
        raise ValidationFailed(
            f"To {action.value} needs a reason.", errors=[FieldError("reason", f"required to {action.value}")]
        )


def _step_event(contract: PartnerContract, now: datetime) -> GrantContracting:
    common = {
        "call_id": uuid.UUID(contract.call_id),
        "proposal_id": uuid.UUID(contract.proposal_id),
        "partner_id": contract.partner_id,
        "region_code": contract.region_code,
        "amount": Money(amount=contract.amount, currency=contract.currency),
        "status": contract.status,
        "at": contract.settled_at or now,
    }
    if contract.status == ContractStatus.SIGNED:
        days = days_between(contract.offered_at, contract.settled_at or now)
        return GrantSigned(**common, reference=contract.reference or "", days_to_contract=days)
    return GrantDeclined(**common, reason=contract.reason or "")


async def follow_contracting(
    session: AsyncSession,
    runtime: Runtime,
    config: CallConfiguration,
    project: Project,
    contracts: list[PartnerContract],
    *,
    actor: str,
) -> None:
    """Move the project on from its offers: release money that fell away, start or cancel it."""
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
        await _release(session, runtime, project, contracts, offers, outcome.release, outcome.status, actor)
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
        await emit(session, runtime.tables, started, source=SOURCE, subject=project.proposal_id, clock=runtime.clock)
    await session.flush()
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=actor,
        action=f"project.{project.status}",
        entity="project",
        entity_id=project.proposal_id,
        call_id=project.call_id,
        before=before,
        after={"status": project.status},
        reason=project.cancelled_reason,
    )


async def _release(
    session: AsyncSession,
    runtime: Runtime,
    project: Project,
    contracts: list[PartnerContract],
    offers: list[Offer],
    partner_ids: tuple[str, ...],
    status: ProjectStatus,
    actor: str,
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
        await emit(session, runtime.tables, released, source=SOURCE, subject=project.proposal_id, clock=runtime.clock)
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=actor,
        action="funds.released",
        entity="project",
        entity_id=project.proposal_id,
        call_id=project.call_id,
        after={r: str(a) for r, a in amounts.items()},
        reason=why,
    )


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
