"""A consortium submits its draft: a new version, a receipt, proposal.submitted.

The server clock decides; completeness and the consortium rules are hard errors (all listed at
once); regional rule failures are warnings, since the official check belongs to each region.
A repeated request with the same Idempotency-Key gets the same receipt, never a second version.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.calls import CallConfiguration
from shared.canonical import sha256_hex
from shared.errors import Conflict, DeadlinePassed, FieldError, ValidationFailed
from shared.events import ProposalSubmitted
from shared.http.auth import Principal
from shared.messaging.outbox import emit
from shared.proposals import ProposalDraft
from shared.rules.precheck import PrecheckReport
from shared.service import Runtime

from ..domain.announcement import SubmittedVersion, submitted_event
from ..domain.completeness import completeness_errors
from ..domain.precheck import consortium_failures, precheck_draft, regional_warnings
from ..domain.submission import submission_window_error
from ..models import IdempotentSubmission, Proposal, ProposalVersion, audit_log
from ..repository import get_version, idempotent_submission, replace_region_partners
from .access import applicant_of, call_of, proposal_for, refuse_if_withdrawn


async def submit_proposal(
    session: AsyncSession, runtime: Runtime, consortium: Principal, proposal_id: str, idempotency_key: str | None
) -> ProposalVersion:
    proposal = await proposal_for(session, consortium, proposal_id, for_update=True)  # submissions queue here
    if idempotency_key:
        earlier = await _earlier_receipt(session, consortium, proposal, idempotency_key)
        if earlier is not None:
            return earlier
    refuse_if_withdrawn(proposal)
    call, config = await call_of(session, proposal.call_id)
    now = runtime.clock.now()
    refusal = submission_window_error(call, now)
    if refusal:
        raise DeadlinePassed(refusal, extra={"server_time": now.isoformat()})
    draft = ProposalDraft.model_validate(proposal.draft)
    report = precheck_draft(draft, config)  # every rule once: hard consortium errors and regional warnings
    _refuse_incomplete(draft, config, report)
    first_submission = proposal.current_version == 0
    version = _new_version(proposal, draft, report, consortium, now)
    session.add(version)
    if idempotency_key:
        session.add(
            IdempotentSubmission(
                applicant_id=applicant_of(consortium),
                key=idempotency_key,
                proposal_id=proposal.id,
                version=version.version,
                created_at=now,
            )
        )
    proposal.status, proposal.current_version, proposal.updated_at = "submitted", version.version, now
    await session.flush()
    await replace_region_partners(
        session, _region_rows(proposal, draft, version.version), proposal.id, had_rows=not first_submission
    )
    await emit(
        session,
        runtime.tables,
        _submitted_event(proposal, draft, version, config),
        source="proposal_intake",
        subject=proposal.id,
        clock=runtime.clock,
    )
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=consortium.label,
        action="proposal.submitted",
        entity="proposal",
        entity_id=proposal.id,
        after={"version": version.version, "sha256": version.content_sha256},
    )
    return version


async def _earlier_receipt(
    session: AsyncSession, consortium: Principal, proposal: Proposal, key: str
) -> ProposalVersion | None:
    stored = await idempotent_submission(session, applicant_of(consortium), key)
    if stored is None:
        return None
    if stored.proposal_id != proposal.id:
        raise Conflict(f"Idempotency-Key {key!r} was already used for another proposal.")
    return await get_version(session, stored.proposal_id, stored.version)


def _refuse_incomplete(draft: ProposalDraft, config: CallConfiguration, report: PrecheckReport | None) -> None:
    errors = completeness_errors(draft, config)
    errors += [
        FieldError("partners" if v.partner_id else "consortium", f"{v.rule}: {v.reason}")
        for v in consortium_failures(report)
    ]
    if errors:
        raise ValidationFailed(f"The proposal cannot be submitted yet ({len(errors)} problem(s)).", errors=errors)


def _new_version(
    proposal: Proposal, draft: ProposalDraft, report: PrecheckReport | None, consortium: Principal, now: datetime
) -> ProposalVersion:
    content = draft.model_dump(mode="json")
    return ProposalVersion(
        proposal_id=proposal.id,
        version=proposal.current_version + 1,
        content=content,
        content_sha256=sha256_hex(content),
        warnings=regional_warnings(report),
        submitted_at=now,
        submitted_by=consortium.label,
    )


def _region_rows(proposal: Proposal, draft: ProposalDraft, version: int) -> list[dict[str, Any]]:
    """The RegionPartner rows of this version (column values: inserted in bulk, no ORM objects needed)."""
    return [
        {
            "proposal_id": proposal.id,
            "partner_key": p.key or "",
            "call_id": proposal.call_id,
            "region_code": p.region_code or "",
            "version": version,
            "partner": p.model_dump(mode="json"),
            "acronym": draft.acronym or "",
        }
        for p in draft.partners
    ]


def _submitted_event(
    proposal: Proposal, draft: ProposalDraft, version: ProposalVersion, config: CallConfiguration
) -> ProposalSubmitted:
    submitted = SubmittedVersion(
        proposal_id=uuid.UUID(proposal.id),
        call_id=uuid.UUID(proposal.call_id),
        applicant_id=proposal.applicant_id,
        version=version.version,
        submitted_at=version.submitted_at,
        content_sha256=version.content_sha256,
        warnings=version.warnings,
    )
    return submitted_event(submitted, draft, config)
