"""Errors of regional_eligibility a client can act on, one per condition (each its own problem type)."""

from __future__ import annotations

from shared.errors import Conflict, FieldError, ValidationFailed


class SubscriptionLimitReached(Conflict):
    slug = "webhook-subscription-limit"
    title = "The region has as many webhook subscriptions as it may"


class SubscriptionDeleted(Conflict):
    slug = "webhook-subscription-deleted"
    title = "The webhook subscription was deleted"


class WebhookUrlRefused(ValidationFailed):
    slug = "webhook-url-refused"
    title = "Webhooks may not go to this URL"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The webhook URL {reason}.", errors=[FieldError("url", reason)])
