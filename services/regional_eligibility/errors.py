"""Errors of regional_eligibility a client can act on, one per condition (each its own problem type); and which
operation may answer which (its OpenAPI responses)."""

from __future__ import annotations

from shared.errors import Conflict, DeadlinePassed, FieldError, ServiceError, ValidationFailed


class SubscriptionLimitReached(
    Conflict,
    slug="webhook-subscription-limit",
    title="The region has as many webhook subscriptions as it may",
    fields=("limit",),
): ...


class SubscriptionDeleted(
    Conflict, slug="webhook-subscription-deleted", title="The webhook subscription was deleted"
): ...


class WebhookUrlRefused(ValidationFailed, slug="webhook-url-refused", title="Webhooks may not go to this URL"):
    def __init__(self, reason: str) -> None:
        super().__init__(f"The webhook URL {reason}.", errors=[FieldError("url", reason)])


class EligibilityDecisionsFinal(
    DeadlinePassed,
    slug="eligibility-check-deadline-passed",
    title="The eligibility check deadline has passed",
    fields=("server_time", "deadline"),
):
    """The call's eligibility check deadline has passed: its checks are decided for good."""


class CheckNotCurrent(
    Conflict, slug="check-not-current", title="The check is no longer decidable", fields=("proposal_status",)
):
    """The check belongs to a version that is no longer the one decided on (withdrawn, replaced, or waiting for
    an extended deadline): `proposal_status` says which."""


ROUTE_PROBLEMS: dict[str, tuple[type[ServiceError], ...]] = {
    "POST /checks/{check_id}/decision": (EligibilityDecisionsFinal, CheckNotCurrent),
    "POST /webhooks": (WebhookUrlRefused, SubscriptionLimitReached),
    "POST /webhooks/{subscription_id}/resume": (SubscriptionDeleted,),
}
