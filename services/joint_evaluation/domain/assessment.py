"""An evaluator's assessment and the panel's consensus as people see it (pure, no I/O).

* A **draft** may be partial, but what it holds must be valid: only the call's criteria, every score on the
  call's scale and step (``scoring.validate_score``; off-step values are refused, never rounded).
* A **submission** needs, for every criterion, a score and a written justification that is not blank.
* The **consensus preview** (what the agency sees before finalising) applies ``scoring.consensus`` to the
  criteria that have an individual score or an override, and shows nothing for the others yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .ranking import format_score
from .scoring import (
    CriterionConsensus,
    EvaluationRules,
    EvaluatorScores,
    InvalidScoreError,
    RapporteurOverride,
    consensus,
    validate_score,
)


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # locked: nothing changes it


# A draft is saved again and again, then submitted once; a submitted assessment is locked.
TRANSITIONS: dict[AssessmentStatus, frozenset[AssessmentStatus]] = {
    AssessmentStatus.DRAFT: frozenset({AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED}),
    AssessmentStatus.SUBMITTED: frozenset(),
}


def can_move(current: AssessmentStatus | None, to: AssessmentStatus) -> bool:
    """None: no assessment yet (it starts as a draft, or is submitted from nothing: then it misses everything)."""
    return current is None or to in TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, and the field (dotted path) at fault."""

    field: str
    message: str


def score_text(value: Decimal) -> str:
    """A score as stored and shown: 4 rather than 4.0, 3.5, 10 rather than 1E+1."""
    return format_score(value)


def canonical(value: Decimal | None) -> Decimal | None:
    return Decimal(format_score(value)) if value is not None else None


def draft_problems(
    scores: Mapping[str, Decimal], justifications: Mapping[str, str], rules: EvaluationRules
) -> list[Problem]:
    keys = [criterion.key for criterion in rules.criteria]
    unknown = f"not a criterion of the call; one of: {', '.join(keys)}"
    problems = []
    for key, value in scores.items():
        if key not in keys:
            problems.append(Problem(f"scores.{key}", unknown))
            continue
        try:
            validate_score(value, rules.scale)
        except InvalidScoreError as exc:
            problems.append(Problem(f"scores.{key}", str(exc)))
    problems += [Problem(f"justifications.{key}", unknown) for key in justifications if key not in keys]
    return problems


def missing_for_submission(
    scores: Mapping[str, Decimal], justifications: Mapping[str, str], rules: EvaluationRules
) -> list[Problem]:
    missing = []
    for criterion in rules.criteria:
        if criterion.key not in scores:
            missing.append(Problem(f"scores.{criterion.key}", f"no score for {criterion.name}"))
        if not justifications.get(criterion.key, "").strip():
            missing.append(Problem(f"justifications.{criterion.key}", f"no justification for {criterion.name}"))
    return missing


def consensus_preview(
    rules: EvaluationRules, submitted: Sequence[EvaluatorScores], overrides: Sequence[RapporteurOverride] = ()
) -> dict[str, CriterionConsensus | None]:
    """Per criterion key (in the call's order), the consensus as it would be now, or None without any input."""
    covered = {key for evaluator in submitted for key in evaluator.scores} | {o.criterion_key for o in overrides}
    criteria = tuple(criterion for criterion in rules.criteria if criterion.key in covered)
    found: dict[str, CriterionConsensus] = {}
    if criteria:
        partial = consensus(submitted, rules.model_copy(update={"criteria": criteria}), overrides)
        found = {item.criterion_key: item for item in partial.criteria}
    return {criterion.key: found.get(criterion.key) for criterion in rules.criteria}
