"""What a call requires of a proposal before it can be submitted, as data a client can build a form from.

The same lists completeness.py checks (the required fields), and the call's consortium rules and every
region's annex (what the rule engine judges): so a client learns them before failing, from the first
empty draft on.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from shared.calls import CallConfiguration, RegionAnnex
from shared.rules.model import OrganisationType

from .completeness import PARTNER_FIELDS, PROPOSAL_FIELDS


class _Out(BaseModel):
    pass


class ProposalRequirements(_Out):
    required: list[str] = Field(description="Fields a submitted proposal must fill (besides the lists below)")
    s3_areas: list[str] = Field(description="The call's topics: name at least one (any text when empty)")
    trl_min: int | None = Field(description="Lowest TRL the call accepts (regions may be stricter)")
    trl_max: int | None
    max_duration_months: int | None


class PartnerRequirements(_Out):
    required: list[str] = Field(description="Fields every partner must fill, and a non-empty `budget`")
    coordinators: int = Field(description="How many partners must have role `coordinator`")
    min_partners: int
    max_partners_per_region: int | None
    min_participating_regions: int = Field(description="Partners from at least this many of the call's regions")
    coordinator_from_participating_region: bool
    self_funded_partners_allowed: bool = Field(description="Partners from regions outside the call, at own cost")
    max_share_per_partner: Decimal | None = Field(description="Largest share of the total costs one partner may hold")
    max_share_per_region: Decimal | None
    min_sme_share: Decimal | None = Field(description="Smallest share of the total costs SMEs must hold")


class RegionRequirements(_Out):
    """One participating region's own rules for the partners it funds (warnings at submission: the region
    decides after the deadline)."""

    code: str
    name: str
    currency: str = Field(description="Its partners' costs and requests are in this currency")
    eligible_organisation_types: list[OrganisationType]
    funding_rates: dict[OrganisationType, Decimal] = Field(description="Largest share of costs it funds, per type")
    max_grant_per_partner: Decimal | None
    max_grant_per_proposal: Decimal | None
    s3_areas: list[str]
    trl_min: int | None
    trl_max: int | None
    eligible_cost_categories: list[str] | None = Field(description="None: every cost category is eligible")
    cost_caps: dict[str, Decimal] = Field(description="Largest share of the partner's costs per cost category")
    must_be_established_in_region: bool
    max_partners: int | None
    manual_checks: list[str] = Field(description="What its officers check by hand after the deadline")


class SubmissionRequirements(_Out):
    """What the call requires before a proposal can be submitted: missing fields and broken consortium rules
    are refused (422); a region's rules broken are warnings on the receipt."""

    call_id: str
    deadline: str = Field(description="The final deadline (ISO 8601 with offset); the server clock decides")
    proposal: ProposalRequirements
    partners: PartnerRequirements
    regions: list[RegionRequirements]


def submission_requirements(call_id: str, call: CallConfiguration) -> SubmissionRequirements:
    rules = call.consortium_rules
    return SubmissionRequirements(
        call_id=call_id,
        deadline=call.deadline.isoformat(),
        proposal=ProposalRequirements(
            required=[*PROPOSAL_FIELDS, "s3_areas", "partners"],
            s3_areas=list(call.topics),
            trl_min=call.trl.min if call.trl else None,
            trl_max=call.trl.max if call.trl else None,
            max_duration_months=call.max_duration_months,
        ),
        partners=PartnerRequirements(
            required=[*PARTNER_FIELDS, "budget"],
            coordinators=1,
            min_partners=rules.min_partners,
            max_partners_per_region=rules.max_partners_per_region,
            min_participating_regions=rules.min_participating_regions,
            coordinator_from_participating_region=rules.coordinator_from_participating_region,
            self_funded_partners_allowed=rules.self_funded_partners_allowed,
            max_share_per_partner=rules.max_share_per_partner,
            max_share_per_region=rules.max_share_per_region,
            min_sme_share=rules.min_sme_share,
        ),
        regions=[_region(region) for region in call.regions],
    )


def _region(region: RegionAnnex) -> RegionRequirements:
    return RegionRequirements(
        code=region.code,
        name=region.name,
        currency=region.currency,
        eligible_organisation_types=list(region.eligible_organisation_types),
        funding_rates=dict(region.funding_rates),
        max_grant_per_partner=region.max_grant_per_partner,
        max_grant_per_proposal=region.max_grant_per_proposal,
        s3_areas=list(region.s3_areas),
        trl_min=region.trl.min if region.trl else None,
        trl_max=region.trl.max if region.trl else None,
        eligible_cost_categories=region.eligible_cost_categories,
        cost_caps=dict(region.cost_caps),
        must_be_established_in_region=region.must_be_established_in_region,
        max_partners=region.max_partners,
        manual_checks=list(region.manual_checks),
    )
