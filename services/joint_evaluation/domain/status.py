"""Where a proposal stands in the joint evaluation, derived from what is known of it."""

from __future__ import annotations

from enum import StrEnum


class EvaluationStatus(StrEnum):
    AWAITING_ELIGIBILITY = "awaiting_eligibility"
    AWAITING_EVALUATION = "awaiting_evaluation"
    NOT_ELIGIBLE = "not_eligible"


def evaluation_status(eligibility: str) -> EvaluationStatus:
    if eligibility == "eligible":
        return EvaluationStatus.AWAITING_EVALUATION
    if eligibility == "not_eligible":
        return EvaluationStatus.NOT_ELIGIBLE
    return EvaluationStatus.AWAITING_ELIGIBILITY
