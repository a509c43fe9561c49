"""The configuration of a joint call: what an agency defines, what every service works from.

It is the body agencies send (the shape of `alpine-call.json`), the content of every call
version, and travels whole in call.* events, so consumers never have to ask back. Field-level
checks live here; the checks that relate fields to each other are in
services/call_definition/domain/validation.py and report every problem at once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from shared import limits
from shared.call_stages import TwoStageConfig
from shared.decimals import (
    ExchangeRate,
    NonNegativeAmount,
    PositiveScore,
    Rate,
    Score,
    ScoreTotal,
    Share,
    Weight,
)
from shared.decimals import (
    PositiveAmount as PositiveAmount,
)
from shared.document_types import DocumentType
from shared.money import CurrencyCode
from shared.rules.model import ConsortiumRules, OrganisationType, RegionalRules
from shared.text import StorableModel

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
OptionalAmount = NonNegativeAmount
Trl = Annotated[int, Field(ge=1, le=9)]


class _Strict(StorableModel):
    model_config = ConfigDict(extra="forbid")


class Stage(_Strict):
    name: Text = Field(examples=["pre-proposal", "full proposal"])
    opens: AwareDatetime = Field(description="Opening instant, with its UTC offset")
    deadline: AwareDatetime = Field(description="Deadline instant, with its UTC offset; enforced by the server clock")


class TrlRange(_Strict):
    min: Trl
    max: Trl


class ConsortiumRulesConfig(_Strict):
    min_partners: int = Field(default=2, ge=1, le=100)
    min_participating_regions: int = Field(default=2, ge=1, le=100)
    max_partners_per_region: int | None = Field(default=None, ge=1)
    coordinator_from_participating_region: bool = True
    max_share_per_partner: Share | None = None
    max_share_per_region: Share | None = None
    min_sme_share: Rate | None = None
    self_funded_partners_allowed: bool = True


class Scale(_Strict):
    min: Score = Decimal(0)
    max: PositiveScore = Decimal(5)
    step: PositiveScore = Decimal("0.5")


class Criterion(_Strict):
    key: Slug
    name: Text
    description: str = Field(default="", max_length=5000)
    weight: Weight
    threshold: Score


class ConflictOfInterestPolicy(_Strict):
    same_organisation: Literal[True] = Field(default=True, description="Always on: it cannot be switched off")
    same_region: bool = False
    same_country: bool = False


class EvaluationConfig(_Strict):
    scale: Scale = Field(default_factory=Scale)
    criteria: list[Criterion] = Field(min_length=1, max_length=20)
    overall_threshold: ScoreTotal = Field(description="On the unweighted sum of the consensus scores")
    evaluators_per_proposal: int = Field(default=3, ge=1, le=20)
    tie_break: list[Slug] = Field(
        default_factory=list, max_length=limits.MAX_CRITERIA, description="Criterion keys, most important first"
    )
    conflict_of_interest: ConflictOfInterestPolicy = Field(default_factory=ConflictOfInterestPolicy)
    divergence_flag_spread: Score = Decimal(2)


class FundingConfig(_Strict):
    mode: Literal["virtual_common_pot"] = "virtual_common_pot"
    reporting_currency: CurrencyCode = "EUR"
    reporting_rates: dict[CurrencyCode, ExchangeRate] = Field(
        default_factory=dict,
        max_length=limits.MAX_CURRENCIES,
        description="1 unit of the currency = rate units of the reporting currency",
    )


class Indicator(_Strict):
    """A KPI fixed before the call opens: its unit, whether each partner or the project reports it, and the
    target a funded project is expected to reach by its final report."""

    key: Slug
    name: Text
    unit: Text = Field(examples=["jobs", "patents", "EUR", "TRL"])
    per: Literal["partner", "project"] = "project"
    target_per_project: OptionalAmount | None = None


class MonitoringConfig(_Strict):
    """After the results: how long partners have to sign, what happens when one does not, and the joint
    reporting schedule with its indicators."""

    signature_days: int = Field(default=60, ge=1, le=730, description="Days a partner has to sign its offer")
    missing_partner_policy: Literal["cancel_project", "drop_partner"] = Field(
        default="drop_partner",
        description="A partner declining or withdrawing: cancel the project, or go on without the partner if "
        "the consortium rules still hold without it",
    )
    report_every_months: int = Field(default=6, ge=1, le=36, description="Length of a reporting period")
    reporting_periods: int = Field(default=4, ge=1, le=40, description="Periods; the last report is the final")
    report_due_days: int = Field(default=30, ge=0, le=365, description="Days after a period's end to report")
    indicators: list[Indicator] = Field(default_factory=list, max_length=40)


class RegionAnnex(_Strict):
    """One participating region: its agency, budget and its own funding rules."""

    code: RegionCode = Field(examples=["AT-4", "DE-BY", "CH-FR", "SI"], description="ISO 3166-2 or NUTS code")
    name: Text
    agency: Text
    currency: CurrencyCode
    budget: PositiveAmount = Field(description="Budget envelope in the region's currency")
    eligible_organisation_types: list[OrganisationType] = Field(min_length=1, max_length=limits.MAX_ORGANISATION_TYPES)
    funding_rates: dict[OrganisationType, Rate] = Field(
        max_length=limits.MAX_ORGANISATION_TYPES,
        description="Max share of a partner's eligible costs it may request, per organisation type",
    )
    max_grant_per_partner: OptionalAmount | None = None
    max_grant_per_proposal: OptionalAmount | None = None
    s3_areas: list[Text] = Field(min_length=1, max_length=limits.MAX_TOPICS)
    trl: TrlRange | None = Field(default=None, description="Only if stricter than the call's")
    eligible_cost_categories: list[Slug] | None = Field(
        default=None, max_length=limits.MAX_COST_CATEGORIES, description="None: every category"
    )
    cost_caps: dict[Slug, Share] = Field(
        default_factory=dict, max_length=limits.MAX_COST_CATEGORIES, description="Max share of the partner's costs"
    )
    must_be_established_in_region: bool = True
    max_partners: int | None = Field(default=None, ge=1)
    manual_checks: list[Text] = Field(
        default_factory=list,
        max_length=limits.MAX_MANUAL_CHECKS,
        description="Checks the region's officers do themselves",
    )

    def rules(self) -> RegionalRules:
        return RegionalRules(
            code=self.code,
            name=self.name,
            currency=self.currency,
            eligible_organisation_types=frozenset(self.eligible_organisation_types),
            funding_rates=self.funding_rates,
            max_grant_per_partner=self.max_grant_per_partner,
            max_grant_per_proposal=self.max_grant_per_proposal,
            s3_areas=frozenset(self.s3_areas),
            trl_min=self.trl.min if self.trl else None,
            trl_max=self.trl.max if self.trl else None,
            eligible_cost_categories=frozenset(self.eligible_cost_categories)
            if self.eligible_cost_categories is not None
            else None,
            cost_caps=self.cost_caps,
            must_be_established_in_region=self.must_be_established_in_region,
            max_partners=self.max_partners,
            manual_checks=self.manual_checks,
        )


class S3TopicRef(_Strict):
    """The S3 topic a call was started from (s3_strategy's "start a call from this topic")."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(examples=["nace:28"])
    label: Text
    regions: list[RegionCode] = Field(
        default_factory=list, max_length=limits.MAX_REGIONS, description="The topic's regions when the call began"
    )


class CallConfiguration(_Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,49}$")] = Field(
        examples=["ALP-S3-2027"]
    )
    title: Text
    description: str = Field(default="", max_length=20_000)
    time_zone: str = Field(
        default="Europe/Brussels",
        max_length=limits.MAX_TIME_ZONE_LENGTH,
        description="IANA zone the call shows its instants in",
    )
    stages: list[Stage] = Field(min_length=1, max_length=2, description="One stage, or pre-proposal then full")
    two_stage: TwoStageConfig | None = Field(
        default=None, description="Two-stage calls only: stage 1, the shortlist and stage 2's change rules"
    )
    eligibility_check_due: AwareDatetime | None = None
    evaluation_due: AwareDatetime | None = None
    decisions_due: AwareDatetime | None = None
    topics: list[Text] = Field(
        default_factory=list, max_length=limits.MAX_TOPICS, description="Topics / S3 priority areas of the call"
    )
    max_duration_months: int | None = Field(default=None, ge=1, le=120)
    trl: TrlRange | None = None
    consortium_rules: ConsortiumRulesConfig = Field(default_factory=ConsortiumRulesConfig)
    ineligible_partner_policy: Literal["reject_proposal", "drop_partner"] = "reject_proposal"
    evaluation: EvaluationConfig
    funding: FundingConfig = Field(default_factory=FundingConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    regions: list[RegionAnnex] = Field(min_length=1, max_length=60)
    s3_topic: S3TopicRef | None = Field(default=None, description="The S3 topic the call was started from, if any")
    documents: list[DocumentType] = Field(
        default_factory=list, max_length=30, description="The documents a proposal carries (see proposal_intake)"
    )

    @property
    def opens_at(self) -> datetime:
        return self.stages[0].opens

    @property
    def deadline(self) -> datetime:
        """The final deadline (of the last stage)."""
        return self.stages[-1].deadline

    def region(self, code: str) -> RegionAnnex | None:
        return next((region for region in self.regions if region.code == code), None)

    def consortium_rules_for_engine(self) -> ConsortiumRules:
        rules = self.consortium_rules
        return ConsortiumRules(
            **rules.model_dump(),
            max_duration_months=self.max_duration_months,
            trl_min=self.trl.min if self.trl else None,
            trl_max=self.trl.max if self.trl else None,
        )

    def regional_rules(self) -> dict[str, RegionalRules]:
        return {region.code: region.rules() for region in self.regions}

    def reporting_rates(self) -> dict[str, Decimal]:
        return {**self.funding.reporting_rates, self.funding.reporting_currency: Decimal(1)}

    def document_type(self, key: str) -> DocumentType | None:
        return next((kind for kind in self.documents if kind.key == key), None)
