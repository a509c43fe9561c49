"""Where a proposal stands in the joint evaluation, derived from what is known of it."""

from __future__ import annotations

from enum import StrEnum


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
    if eligibility == "not_eligible":
        return EvaluationStatus.NOT_ELIGIBLE
    if eligibility != "eligible":
        return EvaluationStatus.AWAITING_ELIGIBILITY
    if consensus_final:
        return EvaluationStatus.EVALUATED
    return EvaluationStatus.IN_EVALUATION if assigned else EvaluationStatus.AWAITING_EVALUATION
