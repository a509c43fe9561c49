"""A consortium submits a proposal to an open call and gets a receipt."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.canonical import sha256_hex
from shared.errors import DeadlinePassed, FieldError, NotFound, ValidationFailed
from shared.events import PartnerSnapshot, ProposalSubmitted, RegionSnapshot
from shared.http.auth import Principal
from shared.messaging.outbox import emit
from shared.readmodel import load_call_copy
from shared.service import Runtime

from ..api.schemas import ProposalSubmissionIn
from ..domain.submission import submission_window_error
from ..models import Proposal, ProposalVersion, audit_log, call_copies


async def submit_proposal(
    session: AsyncSession, runtime: Runtime, consortium: Principal, call_id: str, body: ProposalSubmissionIn
) -> ProposalVersion:
    call = await load_call_copy(session, call_copies, call_id)
    if call is None:
        raise NotFound(f"No published call {call_id}.")
    now = runtime.clock.now()
    refusal = submission_window_error(call, now)
    if refusal:
        raise DeadlinePassed(refusal, extra={"server_time": now.isoformat()})
    _check_currencies(call.regions, body)
    content = body.model_dump(mode="json")
    proposal = Proposal(
        id=str(uuid.uuid4()),
        call_id=call_id,
        applicant_id=consortium.scope or consortium.subject,
        acronym=body.acronym,
        title=body.title,
        status="submitted",
        current_version=1,
        created_at=now,
        updated_at=now,
    )
    version = ProposalVersion(
        proposal_id=proposal.id,
        version=1,
        content=content,
        content_sha256=sha256_hex(content),
        submitted_at=now,
        submitted_by=consortium.label,
    )
    session.add_all([proposal, version])
    await session.flush()
    partners = [
        PartnerSnapshot(
            partner_id=f"{proposal.id}:{index}",
            organisation_name=partner.organisation_name,
            region_code=partner.region_code,
            requested_funding=partner.requested_funding,
        )
        for index, partner in enumerate(body.partners)
    ]
    await emit(
        session,
        runtime.tables,
        ProposalSubmitted(
            proposal_id=uuid.UUID(proposal.id),
            call_id=uuid.UUID(call_id),
            version=1,
            applicant_id=proposal.applicant_id,
            acronym=body.acronym,
            title=body.title,
            submitted_at=now,
            content_sha256=version.content_sha256,
            partners=partners,
        ),
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
        after={"version": 1, "sha256": version.content_sha256},
    )
    return version


def _check_currencies(regions: list[RegionSnapshot], body: ProposalSubmissionIn) -> None:
    """A partner of a participating region requests money in that region's currency."""
    currency_of = {region.code: region.currency for region in regions}
    errors = [
        FieldError(
            f"partners.{index}.requested_funding.currency",
            f"{partner.region_code} funds in {currency_of[partner.region_code]}, "
            f"not {partner.requested_funding.currency}",
        )
        for index, partner in enumerate(body.partners)
        if partner.region_code in currency_of and partner.requested_funding.currency != currency_of[partner.region_code]
    ]
    if errors:
        raise ValidationFailed("Requested funding must be in the partner's region's currency.", errors=errors)
