"""Where a proposal stands in the joint evaluation, derived from what is known of it."""

from __future__ import annotations

from enum import StrEnum


class Eligibility(StrEnum):
    """A proposal's eligibility as the eligibility service decided it (pending until it has, on the version
    that counts); a correction may replace either outcome by the other."""

    PENDING = "pending"
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


class EvaluationStatus(StrEnum):
    AWAITING_ELIGIBILITY = "awaiting_eligibility"
    AWAITING_EVALUATION = "awaiting_evaluation"  # eligible, no evaluator assigned yet
    IN_EVALUATION = "in_evaluation"  # evaluators assigned, consensus not final
    EVALUATED = "evaluated"  # consensus final
    NOT_ELIGIBLE = "not_eligible"
    WITHDRAWN = "withdrawn"


def evaluation_status(
    eligibility: str, *, withdrawn: bool = False, assigned: bool = False, consensus_final: bool = False
) -> EvaluationStatus:
    if withdrawn:
        return EvaluationStatus.WITHDRAWN
    if eligibility == Eligibility.NOT_ELIGIBLE:
        return EvaluationStatus.NOT_ELIGIBLE
    if eligibility != Eligibility.ELIGIBLE:
        return EvaluationStatus.AWAITING_ELIGIBILITY
    if consensus_final:
        return EvaluationStatus.EVALUATED
    return EvaluationStatus.IN_EVALUATION if assigned else EvaluationStatus.AWAITING_EVALUATION
