"""What a proposal must contain before it can be submitted: every gap listed at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from shared.calls import CallConfiguration
from shared.errors import FieldError
from shared.proposals import PartnerDraft, ProposalDraft
from shared.wording import agree

PROPOSAL_FIELDS = ("acronym", "title", "abstract", "trl", "duration_months")
PARTNER_FIELDS = (
    "organisation_name",
    "legal_id",
    "country",
    "region_code",
    "organisation_type",
    "contact",
    "requested_funding",
)


def completeness_errors(draft: ProposalDraft, call: CallConfiguration) -> list[FieldError]:
    return [*_proposal_gaps(draft, call), *_partner_gaps(draft, call)]


def _proposal_gaps(draft: ProposalDraft, call: CallConfiguration) -> Iterator[FieldError]:
    for field in PROPOSAL_FIELDS:
        if getattr(draft, field) in (None, ""):
            yield FieldError(field, "required for submission")
    if not draft.s3_areas:
        yield FieldError("s3_areas", "name at least one S3 priority area of the call")
    unknown = sorted(set(draft.s3_areas) - set(call.topics)) if call.topics else []
    if unknown:
        yield FieldError("s3_areas", f"not topics of the call: {', '.join(unknown)}")
    if not draft.partners:
        yield FieldError("partners", "a proposal needs partners")
    coordinators = [p for p in draft.partners if p.role == "coordinator"]
    if draft.partners and len(coordinators) != 1:
        yield FieldError(
            "partners",
            f"exactly one partner must be the coordinator "
            f"({len(coordinators) or 'none'} {agree(len(coordinators), 'is', 'are')})",
        )
    duplicated = {key for key, n in Counter(p.key for p in draft.partners).items() if n > 1}
    for index, partner in enumerate(draft.partners):
        if partner.key in duplicated:
            yield FieldError(f"partners.{index}.key", f"partner key {partner.key} is used twice")


def _partner_gaps(draft: ProposalDraft, call: CallConfiguration) -> Iterator[FieldError]:
    for index, partner in enumerate(draft.partners):
        field = f"partners.{index}"
        for name in PARTNER_FIELDS:
            if getattr(partner, name) is None:
                yield FieldError(f"{field}.{name}", "required for submission")
        if not partner.budget:
            yield FieldError(f"{field}.budget", "give the partner's costs per cost category")
        yield from _money(partner, call, field)


def _money(partner: PartnerDraft, call: CallConfiguration, field: str) -> Iterator[FieldError]:
    region = call.region(partner.region_code) if partner.region_code else None
    if region is not None and partner.currency not in (None, region.currency):
        yield FieldError(f"{field}.currency", f"{region.name} funds in {region.currency}, not {partner.currency}")
    if region is None and partner.currency is None and partner.region_code:
        yield FieldError(f"{field}.currency", "a partner from outside the call's regions states its currency")
    requested, costs = partner.requested_funding, partner.total_costs
    if requested is not None and partner.budget and requested > costs:
        yield FieldError(
            f"{field}.requested_funding", f"requested funding ({requested}) exceeds the partner's total costs ({costs})"
        )
