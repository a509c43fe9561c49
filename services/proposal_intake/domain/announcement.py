"""What proposal.submitted says of a submitted version: the full content, so consumers never ask back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.calls import CallConfiguration
from shared.events import PartnerSnapshot, ProposalSubmitted
from shared.money import Money
from shared.proposals import ProposalDraft


@dataclass(frozen=True)
class SubmittedVersion:
    proposal_id: uuid.UUID
    call_id: uuid.UUID
    applicant_id: str
    version: int
    submitted_at: datetime
    content_sha256: str
    warnings: list[str]


def submitted_event(submitted: SubmittedVersion, draft: ProposalDraft, config: CallConfiguration) -> ProposalSubmitted:
    currency_of = {region.code: region.currency for region in config.regions}
    partners = [
        PartnerSnapshot(
            partner_id=f"{submitted.proposal_id}:{p.key}",
            key=p.key,
            organisation_name=p.organisation_name or "",
            region_code=p.region_code or "",
            legal_id=p.legal_id,
            country=p.country,
            organisation_type=p.organisation_type.value if p.organisation_type else None,
            is_sme=p.is_sme,
            role=p.role,
            costs=dict(p.budget),
            requested_funding=Money(
                amount=p.requested_funding or 0, currency=p.currency or currency_of.get(p.region_code or "", "EUR")
            ),
        )
        for p in draft.partners
    ]
    return ProposalSubmitted(
        proposal_id=submitted.proposal_id,
        call_id=submitted.call_id,
        version=submitted.version,
        applicant_id=submitted.applicant_id,
        acronym=draft.acronym or "",
        title=draft.title or "",
        submitted_at=submitted.submitted_at,
        content_sha256=submitted.content_sha256,
        partners=partners,
        abstract=draft.abstract,
        s3_areas=draft.s3_areas,
        trl=draft.trl,
        duration_months=draft.duration_months,
        warnings=submitted.warnings,
    )
