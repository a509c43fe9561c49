"""Scores of the joint evaluation: scale, criteria, consensus and divergence (pure, no I/O).

Rules, exactly:

* **Scale.** Scores run from ``min`` to ``max`` in steps of ``step`` (e.g. 0 to 5 by 0.5). A score is valid when
  ``min <= value <= max`` and ``value - min`` is a whole multiple of ``step``. Off-step values are rejected,
  never silently rounded.
* **Criteria.** Each criterion has a key, a display name, a weight (> 0) and a threshold within the scale. The
  overall threshold applies to the UNWEIGHTED sum of a proposal's consensus scores; weights only order the
  proposals that pass (see ``ranking``).
* **Consensus**, per proposal and criterion: a rapporteur override (a valid score with a non-blank justification)
  wins. Otherwise the consensus is the arithmetic mean of the submitted individual scores, rounded HALF UP to the
  nearest step counted from ``min``: ``n = floor((mean - min) / step + 1/2)`` and ``consensus = min + n * step``,
  computed with exact fractions. On 0-5 by 0.5: mean 3.25 -> 3.5, mean 3.2 -> 3, mean 3.333... -> 3.5,
  mean 3.166... -> 3. The mean of valid scores lies within the scale and ``max`` is on the step grid, so the
  result is always a valid score.
* **Divergence.** A criterion is flagged when its highest and lowest individual scores differ by MORE than the
  configured spread (``highest - lowest > spread``). A difference exactly equal to the spread is not flagged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InvalidScoreError(ValueError):
    """A score outside the scale or off its step grid, or a score for an unknown criterion."""


class Scale(BaseModel):
    """The scoring scale, e.g. ``Scale(min=0, max=5, step=0.5)``."""

    model_config = ConfigDict(frozen=True)

    min: Decimal
    max: Decimal
    step: Decimal = Field(gt=0)

    @model_validator(mode="after")
    def _max_on_grid(self) -> Self:
        if self.max <= self.min:
            raise ValueError("scale max must be above its min")
        if (self.max - self.min) % self.step != 0:
            raise ValueError("scale max must lie on the step grid counted from min")
        return self

    def contains(self, value: Decimal) -> bool:
        """True when ``value`` is a valid score on this scale (in range and on the step grid)."""
        return value.is_finite() and self.min <= value <= self.max and (value - self.min) % self.step == 0


class Criterion(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    weight: Decimal = Field(gt=0)
    threshold: Decimal


class EvaluationRules(BaseModel):
    """The evaluation section of a call; field names follow the call definition JSON (extra keys ignored)."""

    model_config = ConfigDict(frozen=True)

    scale: Scale
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    overall_threshold: Decimal = Field(ge=0)
    tie_break: tuple[str, ...] = ()
    divergence_flag_spread: Decimal = Field(default=Decimal(2), ge=0)
    evaluators_per_proposal: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        keys = [criterion.key for criterion in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError("criterion keys must be unique")
        for criterion in self.criteria:
            if not self.scale.min <= criterion.threshold <= self.scale.max:
                raise ValueError(f"threshold of {criterion.key!r} is outside the scale")
        unknown = [key for key in self.tie_break if key not in keys]
        if unknown:
            raise ValueError(f"tie-break names unknown criteria: {unknown}")
        if len(set(self.tie_break)) != len(self.tie_break):
            raise ValueError("tie-break criteria must be unique")
        return self

    def criterion(self, key: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class EvaluatorScores:
    """The scores one evaluator submitted for one proposal: criterion key -> score."""

    evaluator_id: str
    scores: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class RapporteurOverride:
    criterion_key: str
    value: Decimal
    justification: str

    def __post_init__(self) -> None:
        if not self.justification.strip():
            raise ValueError("a rapporteur override needs a justification")


@dataclass(frozen=True, slots=True)
class CriterionConsensus:
    criterion_key: str
    value: Decimal
    mean: Decimal | None  # unrounded mean of the individual scores; None when nobody scored
    individual_count: int
    overridden: bool
    justification: str | None = None


@dataclass(frozen=True, slots=True)
class ProposalConsensus:
    criteria: tuple[CriterionConsensus, ...]  # in the call's criteria order

    @property
    def scores(self) -> dict[str, Decimal]:
        return {item.criterion_key: item.value for item in self.criteria}


@dataclass(frozen=True, slots=True)
class DivergenceFlag:
    criterion_key: str
    lowest: Decimal
    highest: Decimal

    @property
    def spread(self) -> Decimal:
        return self.highest - self.lowest


def validate_score(value: Decimal, scale: Scale) -> Decimal:
    """Return ``value`` if it is a valid score on ``scale``; raise InvalidScoreError otherwise."""
    if not scale.contains(value):
        raise InvalidScoreError(f"score {value} is not on the scale {scale.min}-{scale.max} in steps of {scale.step}")
    return value


def round_half_up_to_step(value: Decimal | Fraction, scale: Scale) -> Decimal:
    """Round exactly, half up, to the nearest step counted from ``scale.min``, clamped into the scale."""
    steps = (Fraction(value) - Fraction(scale.min)) / Fraction(scale.step)
    rounded = scale.min + math.floor(steps + Fraction(1, 2)) * scale.step
    return min(max(rounded, scale.min), scale.max)


def consensus(
    submitted: Sequence[EvaluatorScores],
    rules: EvaluationRules,
    overrides: Iterable[RapporteurOverride] = (),
) -> ProposalConsensus:
    """Consensus score per criterion of one proposal (see the module docstring for the rule)."""
    by_criterion = _individual_scores(submitted, rules)
    override_by_key = _validated_overrides(overrides, rules)
    return ProposalConsensus(
        tuple(
            _criterion_consensus(criterion.key, by_criterion[criterion.key], override_by_key, rules.scale)
            for criterion in rules.criteria
        )
    )


def divergence_flags(submitted: Sequence[EvaluatorScores], spread: Decimal) -> tuple[DivergenceFlag, ...]:
    """Criteria whose individual scores differ by more than ``spread``, sorted by criterion key."""
    values: dict[str, list[Decimal]] = {}
    for evaluator in submitted:
        for key, value in evaluator.scores.items():
            values.setdefault(key, []).append(value)
    return tuple(
        DivergenceFlag(key, min(scores), max(scores))
        for key, scores in sorted(values.items())
        if max(scores) - min(scores) > spread
    )


def _individual_scores(submitted: Sequence[EvaluatorScores], rules: EvaluationRules) -> dict[str, list[Decimal]]:
    by_criterion: dict[str, list[Decimal]] = {criterion.key: [] for criterion in rules.criteria}
    for evaluator in submitted:
        for key, value in evaluator.scores.items():
            if key not in by_criterion:
                raise InvalidScoreError(f"evaluator {evaluator.evaluator_id} scored unknown criterion {key!r}")
            by_criterion[key].append(validate_score(value, rules.scale))
    return by_criterion


def _validated_overrides(
    overrides: Iterable[RapporteurOverride], rules: EvaluationRules
) -> dict[str, RapporteurOverride]:
    keys = {criterion.key for criterion in rules.criteria}
    by_key: dict[str, RapporteurOverride] = {}
    for override in overrides:
        if override.criterion_key not in keys:
            raise InvalidScoreError(f"override for unknown criterion {override.criterion_key!r}")
        if override.criterion_key in by_key:
            raise ValueError(f"two overrides for criterion {override.criterion_key!r}")
        validate_score(override.value, rules.scale)
        by_key[override.criterion_key] = override
    return by_key


def _criterion_consensus(
    key: str, scores: list[Decimal], overrides: Mapping[str, RapporteurOverride], scale: Scale
) -> CriterionConsensus:
    mean = sum(scores, Decimal(0)) / len(scores) if scores else None
    override = overrides.get(key)
    if override is not None:
        return CriterionConsensus(key, override.value, mean, len(scores), True, override.justification)
    if not scores:
        raise ValueError(f"no individual score and no override for criterion {key!r}")
    exact_mean = sum((Fraction(score) for score in scores), Fraction(0)) / len(scores)
    return CriterionConsensus(key, round_half_up_to_step(exact_mean, scale), mean, len(scores), False)
