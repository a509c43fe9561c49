"""The rule engine's vocabulary: configured rules, proposal facts, verdicts, and the wording helpers.

Every amount is an exact `Decimal` with at most two decimal places (cents) and travels with its ISO 4217
currency; shares and rates are `Decimal` fractions in [0, 1]. Floats never enter: pydantic turns a float
input such as ``0.7`` into ``Decimal("0.7")`` through its text, so the value the agency wrote is the value
compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared import decimals
from shared.decimals import NonNegativeAmount
from shared.money import CurrencyCode

CENT = Decimal("0.01")

Amount = NonNegativeAmount
"""A non-negative money amount in cents; its currency is carried by the enclosing model."""

Rate = decimals.Rate
"""A fraction in [0, 1] (four decimal places at most), e.g. a funding rate of 50% is ``Decimal("0.5")``."""

Share = decimals.Share
"""A positive fraction in (0, 1], used for caps: a cap of 0% would forbid everything."""

Trl = Annotated[int, Field(ge=1, le=9)]
"""A technology readiness level, 1 (basic principles) to 9 (proven in operation)."""

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class OrganisationType(StrEnum):
    SME = "sme"
    LARGE_ENTERPRISE = "large_enterprise"
    UNIVERSITY = "university"
    RESEARCH_ORGANISATION = "research_organisation"
    CLUSTER_ORGANISATION = "cluster_organisation"
    PUBLIC_BODY = "public_body"
    NGO = "ngo"

    @property
    def label(self) -> str:
        """The type in words, as applicants read it: "SME", "research organisation"."""
        return _ORGANISATION_LABELS[self]

    @property
    def with_article(self) -> str:
        """The label with its indefinite article, chosen by sound: "an SME", "a university"."""
        article = "an" if self in (OrganisationType.SME, OrganisationType.NGO) else "a"
        return f"{article} {self.label}"


_ORGANISATION_LABELS = {
    OrganisationType.SME: "SME",
    OrganisationType.LARGE_ENTERPRISE: "large enterprise",
    OrganisationType.UNIVERSITY: "university",
    OrganisationType.RESEARCH_ORGANISATION: "research organisation",
    OrganisationType.CLUSTER_ORGANISATION: "cluster organisation",
    OrganisationType.PUBLIC_BODY: "public body",
    OrganisationType.NGO: "NGO",
}


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_HUMAN = "needs_human"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_trl_range(trl_min: int | None, trl_max: int | None) -> None:
    if trl_min is not None and trl_max is not None and trl_min > trl_max:
        raise ValueError(f"trl_min {trl_min} is above trl_max {trl_max}")


class ConsortiumRules(_Frozen):
    """The call-level rules every consortium must meet, whatever regions its partners come from."""

    min_partners: int = Field(default=2, ge=1)
    min_participating_regions: int = Field(default=2, ge=1)
    max_partners_per_region: int | None = Field(default=None, ge=1)
    coordinator_from_participating_region: bool = True
    max_share_per_partner: Share | None = None
    max_share_per_region: Share | None = None
    min_sme_share: Rate | None = None
    self_funded_partners_allowed: bool = True
    max_duration_months: int | None = Field(default=None, ge=1)
    trl_min: Trl | None = None
    trl_max: Trl | None = None

    @model_validator(mode="after")
    def _trl_range_is_ordered(self) -> Self:
        _check_trl_range(self.trl_min, self.trl_max)
        return self


class RegionalRules(_Frozen):
    """One region's annex to the call: the rules its agency applies to the partners it funds."""

    code: Key
    name: Key
    currency: CurrencyCode
    eligible_organisation_types: frozenset[OrganisationType] = Field(min_length=1)
    funding_rates: dict[OrganisationType, Rate]
    max_grant_per_partner: Amount | None = None
    max_grant_per_proposal: Amount | None = None
    s3_areas: frozenset[Key] = Field(min_length=1)
    trl_min: Trl | None = None
    trl_max: Trl | None = None
    eligible_cost_categories: frozenset[Key] | None = None  # None: every category is eligible
    cost_caps: dict[str, Share] = Field(default_factory=dict)
    must_be_established_in_region: bool = True
    max_partners: int | None = Field(default=None, ge=1)
    manual_checks: list[Key] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules_are_consistent(self) -> Self:
        _check_trl_range(self.trl_min, self.trl_max)
        unrated = self.eligible_organisation_types - self.funding_rates.keys()
        if unrated:
            raise ValueError(f"no funding rate for eligible organisation types: {', '.join(sorted(unrated))}")
        return self


class PartnerFacts(_Frozen):
    """What the proposal says about one partner; costs and request are in the partner's currency."""

    partner_id: Key
    organisation_name: Key
    organisation_type: OrganisationType
    is_sme: bool = False
    role: Literal["coordinator", "partner"] = "partner"
    region_code: Key
    country: Key
    costs: dict[str, Amount] = Field(default_factory=dict)
    requested_funding: Amount = Decimal(0)
    currency: CurrencyCode
    established_in_region: bool = True

    @model_validator(mode="after")
    def _sme_flag_matches_type(self) -> Self:
        # Other types may still be SMEs (e.g. a small cluster organisation), but an "sme" always is one.
        if self.organisation_type is OrganisationType.SME and not self.is_sme:
            raise ValueError("a partner of organisation type 'sme' must have is_sme set")
        return self

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs.values(), Decimal(0))


class ProposalFacts(_Frozen):
    """What the rules need to know about a proposal, whether a draft or a submitted version."""

    s3_areas: frozenset[Key] = frozenset()
    trl: Trl
    duration_months: int = Field(ge=1)
    partners: list[PartnerFacts] = Field(default_factory=list)

    @model_validator(mode="after")
    def _partner_ids_are_unique(self) -> Self:
        ids = [partner.partner_id for partner in self.partners]
        duplicates = sorted({pid for pid in ids if ids.count(pid) > 1})
        if duplicates:
            raise ValueError(f"duplicate partner ids: {', '.join(duplicates)}")
        return self


class Verdict(_Frozen):
    """One rule's judgement, with the reason in words and the numbers behind it as exact strings."""

    rule: str
    outcome: Outcome
    reason: str
    partner_id: str | None = None
    region_code: str | None = None
    details: dict[str, str] = Field(default_factory=dict)


def outcome_of(verdicts: Iterable[Verdict]) -> Outcome:
    """The combined outcome: any fail fails, else any open manual check needs a human, else pass."""
    outcomes = {verdict.outcome for verdict in verdicts}
    if Outcome.FAIL in outcomes:
        return Outcome.FAIL
    if Outcome.NEEDS_HUMAN in outcomes:
        return Outcome.NEEDS_HUMAN
    return Outcome.PASS


# --- wording -------------------------------------------------------------------------------------------


def format_money(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> str:
    """An amount as people read it: "62,000.00 EUR". Computed limits pass ROUND_DOWN, never overstated."""
    return f"{amount.quantize(CENT, rounding=rounding):,.2f} {currency}"


def format_percent(share: Decimal, places: int = 2, rounding: str = ROUND_HALF_UP) -> str:
    """A fraction as a percentage without trailing zeros: 0.5 -> "50%", 0.125 -> "12.5%"."""
    percent = (share * 100).quantize(CENT if places == 2 else Decimal(1).scaleb(-places), rounding=rounding)
    text = format(percent.normalize(), "f") if percent else "0"
    return f"{text}%"


def format_share_against(share: Decimal, limit: Decimal) -> str:
    """A computed share rounded away from the limit, so "70.01%" is never shown as "70%" next to a 70% cap."""
    return format_percent(share, rounding=ROUND_UP if share > limit else ROUND_DOWN)


def format_list(items: Iterable[str]) -> str:
    """Sorted, comma-separated; "none" when empty, so reasons never end in a dangling colon."""
    ordered = sorted(items)
    return ", ".join(ordered) if ordered else "none"


def exact(value: Decimal) -> str:
    """A number for `Verdict.details`: exact, in plain notation (no exponent)."""
    return format(value, "f")


def exact_amount(value: Decimal) -> str:
    """A money amount for `Verdict.details`: in cents ("130000.00"), unless that would round it."""
    cents = value.quantize(CENT)
    return exact(cents if cents == value else value)


def ratio(value: Decimal, total: Decimal) -> str:
    """A share for `Verdict.details`, to 6 decimal places; shares of an empty total are 0."""
    share = value / total if total else Decimal(0)
    return exact(share.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))
