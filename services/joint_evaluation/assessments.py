"""What saving and submitting an assessment share: refusals of a submitted assessment and of invalid scores."""

from __future__ import annotations

from typing import Any

from shared.errors import FieldError, ValidationFailed

from .domain.assessment import AssessmentStatus, Problem, can_move
from .errors import AssessmentSubmitted
from .models import Assessment


def refuse_if_submitted(assessment: Assessment | None, to: AssessmentStatus = AssessmentStatus.DRAFT) -> None:
    """Refused unless the assessment may move to `to` (domain.assessment.TRANSITIONS): once submitted, never."""
    if assessment is not None and not can_move(AssessmentStatus(assessment.status), to):
        raise AssessmentSubmitted("The assessment was submitted: it is locked.")


def refuse_problems(
    problems: list[Problem],
    summary: str,
    error: type[ValidationFailed] = ValidationFailed,
    extra: dict[str, Any] | None = None,
) -> None:
    if problems:
        raise error(
            f"{summary}: " + "; ".join(f"{p.field}: {p.message}" for p in problems),
            errors=[FieldError(p.field, p.message) for p in problems],
            extra=extra,
        )
