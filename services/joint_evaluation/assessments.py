"""What saving and submitting an assessment share: refusals of a submitted assessment and of invalid scores."""

from __future__ import annotations

from shared.errors import Conflict, FieldError, ValidationFailed

from .domain.assessment import Problem
from .models import Assessment


def refuse_if_submitted(assessment: Assessment | None) -> None:
    if assessment is not None and assessment.status == "submitted":
        raise Conflict("The assessment was submitted: it is locked.")


def refuse_problems(problems: list[Problem], summary: str) -> None:
    if problems:
        raise ValidationFailed(
            f"{summary}: " + "; ".join(f"{p.field}: {p.message}" for p in problems),
            errors=[FieldError(p.field, p.message) for p in problems],
        )
