"""The errors s3_strategy answers with, one per condition, each with its own problem type; and which operation
may answer which (its OpenAPI responses)."""

from __future__ import annotations

from typing import Any

from shared.errors import FieldError, Forbidden, NotFound, ServiceError, ValidationFailed


class NotYourRegion(Forbidden, slug="not-your-region", title="A region edits only its own priorities"): ...


class UnknownRegion(NotFound, slug="unknown-region", title="No such region"): ...


class UnknownTopic(NotFound, slug="unknown-topic", title="No region prioritises this topic"): ...


class InvalidPriorities(ValidationFailed, slug="invalid-priorities", title="The priorities are not valid"): ...


class MissingRate(ValidationFailed, slug="missing-rate", title="A currency has no rate to the reporting currency"): ...


class MissingBudget(
    ValidationFailed, slug="missing-indicative-budget", title="A region of the topic has no budget for the call"
): ...


class CallDefinitionRefused(
    ServiceError, status=422, slug="call-definition-refused", title="call_definition refused the call draft"
):
    """call_definition said no: its status and field errors, passed on (fields prefixed `call.`). The status is
    422 as a rule; the instance carries the status call_definition answered."""

    def __init__(self, status: int, detail: str, errors: list[FieldError], problem: dict[str, Any]) -> None:
        super().__init__(detail, errors=errors, extra={"upstream": problem})
        self.status = status  # type: ignore[misc]


class CallDefinitionUnavailable(
    ServiceError, status=502, slug="call-definition-unavailable", title="call_definition could not be reached"
): ...


class RegionNotInTopic(
    ValidationFailed, slug="region-not-in-topic", title="A region asked for does not prioritise the topic"
): ...


_RATES = (MissingRate,)
ROUTE_PROBLEMS: dict[str, tuple[type[ServiceError], ...]] = {
    "GET /regions/{code}": (UnknownRegion,),
    "PUT /regions/{code}": (NotYourRegion, InvalidPriorities),
    "POST /imports": (NotYourRegion, InvalidPriorities),
    "GET /analysis/topics": _RATES,
    "GET /analysis/topics.svg": _RATES,
    "GET /analysis/regions/{code}/complementarity": (UnknownRegion,),
    "POST /topics/{topic_id}/calls": (
        UnknownTopic,
        MissingRate,
        MissingBudget,
        RegionNotInTopic,
        CallDefinitionRefused,
        CallDefinitionUnavailable,
    ),
}
