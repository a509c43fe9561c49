"""A region records the contracting of one of its partners: signed, declined, or withdrawn by the partner; then
the project follows from its offers (``offers.follow_contracting``)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.events import GrantContracting, GrantDeclined, GrantSigned
from shared.http.principal import Principal
from shared.messaging.outbox import emit
from shared.money import Money
from shared.service import Runtime

from ..access import call_config, project_for
from ..domain.contracting import (
    ContractAction,
    ContractStatus,
    ContractStep,
    ProjectStatus,
    contract_refusal,
    days_between,
    next_status,
    offer_actions,
)
from ..errors import ContractStepRefused
from ..metrics import TIME_TO_CONTRACT
from ..models import PartnerContract, audit_log
from ..offers import follow_contracting
from ..projects import ProjectView, project_view
from ..repository import contracts_of


async def act_on_offer(
    session: AsyncSession,
    runtime: Runtime,
    region: Principal,
    proposal_id: str,
    partner_key: str,
    step: ContractStep,
) -> ProjectView:
    """The project after the step, as the region may read it."""
    _require_what_the_step_needs(step)
    action, reference, signed_on, reason = step.action, step.reference, step.signed_on, step.reason
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
    trail = AuditTrail(session, audit_log, runtime.clock, region.actor)
    after = {"status": contract.status, "reference": reference}
    await trail.record(f"contract.{contract.status}", contract.audited, before=before, after=after, reason=reason)
    await emit(
        session,
        runtime.tables,
        _step_event(contract, now),
        source=runtime.name,
        subject=proposal_id,
        clock=runtime.clock,
    )
    if contract.status == ContractStatus.SIGNED:
        TIME_TO_CONTRACT.labels(contract.region_code).observe(days_between(contract.offered_at, settled_at))
    config = await call_config(session, project.call_id)
    await follow_contracting(session, runtime, config, project, contracts, trail)
    return await project_view(session, region, proposal_id)


def _require_what_the_step_needs(step: ContractStep) -> None:
    action = step.action
    if action is ContractAction.SIGN and step.reference is None:
        raise ValidationFailed(
            "A signature needs the grant agreement's reference.",
            errors=[FieldError("reference", "required to sign")],
        )
    if action is not ContractAction.SIGN and step.reason is None:
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
