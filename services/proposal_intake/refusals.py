"""Recording a refused submission for the agency (see domain/refusals): the submit route records what its use
case refused; use_cases/list_refusals.py reads them per call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit_row
from shared.errors import DeadlinePassed, FieldError, ServiceError, ValidationFailed
from shared.http.principal import Principal
from shared.service import Runtime

from .access import applicant_of
from .domain.refusals import REFUSED, SUBMISSION_WINDOW, rules_of
from .repository import acronym_of, proposal_with_call, record_audit


def is_refusal(error: ServiceError) -> bool:
    """Refused for its content (422) or its timing (409 deadline-passed): what the secretariat wants to see."""
    return isinstance(error, ValidationFailed | DeadlinePassed)


async def record_refusal(
    session: AsyncSession, runtime: Runtime, consortium: Principal, proposal_id: str, error: ServiceError
) -> None:
    """In a transaction of its own (the refused submission's was rolled back): one audit record on the call."""
    proposal = await proposal_with_call(session, proposal_id)
    if proposal is None or proposal.applicant_id != applicant_of(consortium):
        return  # a 404 would have been answered: nothing of the caller's was refused
    errors = [e.as_dict() for e in error.errors] or [FieldError("", error.detail, location="call").as_dict()]
    rules = [SUBMISSION_WINDOW] if isinstance(error, DeadlinePassed) else rules_of(errors)
    draft_acronym = await acronym_of(session, proposal_id)
    row = audit_row(
        clock=runtime.clock,
        actor=consortium.label,
        action=REFUSED,
        entity="call",
        entity_id=proposal.call_id,
        call_id=proposal.call_id,
        after={
            "proposal_id": proposal_id,
            "applicant_id": proposal.applicant_id,
            "acronym": draft_acronym,
            "status": error.status,
            "rules": rules,
            "errors": errors,
        },
    )
    await record_audit(session, row)
