"""What a two-stage call configures between its two windows: the stage-1 form and rule set, the stage-1
evaluation, the shortlist's oversubscription factor, and the rules for changing a proposal in stage 2.

Part of the call configuration (``CallConfiguration.two_stage``), so it travels in call.* events with the rest.
One-stage calls have none. A two-stage call that omits it gets the defaults below (``stage_rules``): stage-1
eligibility with every rule, a panel of 2 evaluators on the call's criteria, factor 3, new partners only from
regions already present and at most 10% more requested funding. Field-level checks live here; the checks that
relate these fields to the rest of the call are in services/call_definition/domain/stages.py.

This module does not import shared.calls (which imports it): criteria and regions are named by key and code,
and checked against the call's own there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared import limits
from shared.decimals import Score
from shared.text import StorableModel

if TYPE_CHECKING:
    from shared.calls import CallConfiguration, EvaluationConfig

Key = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Factor = Annotated[Decimal, Field(gt=0, le=20, max_digits=4, decimal_places=2)]

# The draft fields a call may leave out of stage 1 (everything else the rule engine reads is always required).
OptionalStageOneField = Literal["abstract", "partners.legal_id", "partners.contact", "partners.budget"]

# The rule engine's rules, by the keys its verdicts carry (shared/rules).
RuleKey = Literal[
    "consortium.min_partners",
    "consortium.min_participating_regions",
    "consortium.max_partners_per_region",
    "consortium.coordinator",
    "consortium.coordinator_region",
    "consortium.self_funded_partner",
    "consortium.duration",
    "consortium.trl",
    "consortium.max_share_per_partner",
    "consortium.max_share_per_region",
    "consortium.min_sme_share",
    "regional.organisation_type",
    "regional.established_in_region",
    "regional.currency",
    "regional.funding_rate",
    "regional.max_grant_per_partner",
    "regional.max_grant_per_proposal",
    "regional.max_partners",
    "regional.s3_areas",
    "regional.trl",
    "regional.cost_categories",
    "regional.cost_cap",
    "regional.manual_check",
]


class _Strict(StorableModel):
    model_config = ConfigDict(extra="forbid")


def _abstract_only() -> list[OptionalStageOneField]:
    return ["abstract"]


class StageOneForm(_Strict):
    """The lighter pre-proposal: what it must hold, and which eligibility rules judge its indicative figures."""

    required_fields: list[OptionalStageOneField] = Field(
        default_factory=_abstract_only,
        max_length=20,
        description="Of the fields a call may leave out of stage 1, those it requires (a full proposal needs all)",
    )
    required_documents: list[Key] = Field(
        default_factory=list, max_length=20, description="Document types required in stage 1, e.g. concept_note"
    )
    eligibility_rules: list[RuleKey] | None = Field(
        default=None, max_length=20, description="The rules that apply at stage 1; none given: every rule of the call"
    )


class StageOnePanel(_Strict):
    """Panel scoring of the pre-proposals, on the call's scale."""

    evaluators_per_proposal: int = Field(default=2, ge=1, le=20)
    criteria: list[Key] | None = Field(
        default=None, max_length=limits.MAX_CRITERIA, description="Keys of the call's criteria; none: all of them"
    )
    thresholds: dict[Key, Score] = Field(
        default_factory=dict,
        max_length=limits.MAX_CRITERIA,
        description="Stage-1 threshold per criterion key, where it differs from the call's",
    )
    overall_threshold: Annotated[Decimal, Field(ge=0, le=100_000, max_digits=8, decimal_places=2)] | None = Field(
        default=None, description="On the unweighted sum of the stage-1 criteria; none: the call's, scaled"
    )

    def evaluation(self, call: EvaluationConfig) -> EvaluationConfig:
        """The stage-1 evaluation rules: the call's scale and conflict policy, the stage-1 criteria, thresholds
        and panel size; without an overall threshold, the call's in proportion to the criteria kept."""
        keys = self.criteria if self.criteria is not None else [c.key for c in call.criteria]
        criteria = [
            c.model_copy(update={"threshold": self.thresholds.get(c.key, c.threshold)})
            for key in keys
            for c in call.criteria
            if c.key == key
        ]
        overall = self.overall_threshold
        if overall is None:
            overall = (call.overall_threshold * len(criteria) / len(call.criteria)).quantize(Decimal("0.01"))
        return call.model_copy(
            update={
                "criteria": criteria,
                "overall_threshold": overall,
                "evaluators_per_proposal": self.evaluators_per_proposal,
                "tie_break": [key for key in call.tie_break if key in keys],
            }
        )


class StageOneEvaluation(_Strict):
    """Panel scoring, a go / no-go on fit by each region with partners in the proposal, or both."""

    panel: StageOnePanel | None = Field(default_factory=StageOnePanel)
    region_fit: bool = Field(default=False, description="Each region with partners says go or no-go, with reason")


class ShortlistConfig(_Strict):
    """Invite while each region's requested funding stays within factor x its budget."""

    oversubscription_factor: Factor = Field(default=Decimal(3), examples=[3])
    region_factors: dict[Key, Factor] = Field(
        default_factory=dict, max_length=limits.MAX_REGIONS, description="Region code -> its own factor"
    )


class StageTwoRules(_Strict):
    """How a full proposal may differ from its pre-proposal."""

    new_partners_only_from_present_regions: bool = True
    max_funding_increase: Annotated[Decimal, Field(ge=0, le=10, max_digits=6, decimal_places=4)] | None = Field(
        default=Decimal("0.1"), description="Total requested funding may grow by at most this fraction; none: free"
    )


class TwoStageConfig(_Strict):
    stage_one: StageOneForm = Field(default_factory=StageOneForm)
    evaluation: StageOneEvaluation = Field(default_factory=StageOneEvaluation)
    shortlist: ShortlistConfig = Field(default_factory=ShortlistConfig)
    stage_two: StageTwoRules = Field(default_factory=StageTwoRules)


def stage_rules(call: CallConfiguration) -> TwoStageConfig | None:
    """What applies between the two stages of a call: its own configuration or the defaults; None if one-stage."""
    if len(call.stages) < 2:
        return None
    return call.two_stage or TwoStageConfig()
