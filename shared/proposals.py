"""The content of a proposal: what a consortium drafts and submits, and what events carry.

A draft may be incomplete (every field optional); completeness is checked at submission, with
every missing piece listed at once. Amounts are exact decimals in the partner's currency.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared import limits
from shared.calls import OptionalAmount, RegionCode, Slug, Text, Trl
from shared.money import CurrencyCode
from shared.rules.model import OrganisationType, PartnerFacts, ProposalFacts
from shared.text import StorableModel

PartnerKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class _Strict(StorableModel):
    model_config = ConfigDict(extra="forbid")


class Contact(_Strict):
    name: Text
    email: Email


class PartnerDraft(_Strict):
    key: PartnerKey | None = Field(default=None, description="Short id of the partner in this proposal, e.g. p1")
    organisation_name: Text | None = None
    legal_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=50)] | None = Field(
        default=None, description="VAT or company register number"
    )
    country: CountryCode | None = Field(default=None, examples=["AT"])
    region_code: RegionCode | None = Field(default=None, examples=["AT-4"])
    organisation_type: OrganisationType | None = None
    is_sme: bool = False
    role: Literal["coordinator", "partner"] = "partner"
    contact: Contact | None = None
    currency: CurrencyCode | None = Field(default=None, description="The partner's region's currency")
    budget: dict[Slug, OptionalAmount] = Field(
        default_factory=dict, max_length=limits.MAX_COST_CATEGORIES, description="Costs per cost category"
    )
    requested_funding: OptionalAmount | None = None

    @property
    def total_costs(self) -> Decimal:
        return sum(self.budget.values(), Decimal(0))


class ProposalDraft(_Strict):
    acronym: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] | None = None
    title: Text | None = None
    abstract: str | None = Field(default=None, max_length=5000)
    s3_areas: list[Text] = Field(default_factory=list, max_length=10)
    trl: Trl | None = None
    duration_months: int | None = Field(default=None, ge=1, le=120)
    partners: list[PartnerDraft] = Field(default_factory=list, max_length=30)

    def with_partner_keys(self) -> ProposalDraft:
        """Partners without a key get p1, p2, ... (keys must be unique; completeness checks that)."""
        taken = {p.key for p in self.partners if p.key}
        partners, number = [], 0
        for partner in self.partners:
            if partner.key is None:
                number += 1
                while f"p{number}" in taken:
                    number += 1
                partner = partner.model_copy(update={"key": f"p{number}"})
            partners.append(partner)
        return self.model_copy(update={"partners": partners})

    def facts(self, currency_of: dict[str, str]) -> ProposalFacts | None:
        """What the rule engine needs, from the partners complete enough to be judged."""
        if self.trl is None or self.duration_months is None:
            return None
        partners = [facts for partner in self.partners if (facts := partner_facts(partner, currency_of))]
        return ProposalFacts(
            s3_areas=frozenset(self.s3_areas), trl=self.trl, duration_months=self.duration_months, partners=partners
        )


def partner_facts(partner: PartnerDraft, currency_of: dict[str, str]) -> PartnerFacts | None:
    needed = (partner.key, partner.organisation_name, partner.organisation_type, partner.region_code, partner.country)
    if any(value is None for value in needed):
        return None
    assert partner.region_code is not None and partner.organisation_type is not None
    currency = partner.currency or currency_of.get(partner.region_code)
    if currency is None:
        return None
    # Built without validating again (model_construct: a fifth of the cost, and this runs for every partner on
    # every pre-check): every value comes from the validated draft under the same or stricter constraints
    # (amounts: the same decimal type; key, name, region, country: patterns and stripped text), or from the
    # call's currencies, and is_sme is consistent with the type by construction. tests/unit/rules checks that
    # validating the result changes nothing.
    return PartnerFacts.model_construct(
        partner_id=partner.key or "",
        organisation_name=partner.organisation_name or "",
        organisation_type=partner.organisation_type,
        is_sme=partner.is_sme or partner.organisation_type is OrganisationType.SME,
        role=partner.role,
        region_code=partner.region_code,
        country=partner.country or "",
        costs=dict(partner.budget),
        requested_funding=partner.requested_funding or Decimal(0),
        currency=currency,
    )
