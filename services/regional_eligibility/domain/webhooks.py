"""What happens to a webhook delivery and its subscription after an attempt: retries with exponential backoff
and jitter, and a circuit that suspends a subscriber after too many failures in a row (until its region
resumes it). Pure functions on plain data.

Subscription: active -> suspended (the circuit) -> active (the region resumes it); either -> deleted.
Delivery: pending -> delivered | failed (attempts exhausted) | cancelled (unsubscribed) | suspended (its
subscription is); suspended -> pending (resumed) | cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # the circuit opened: nothing is sent until the region resumes it
    DELETED = "deleted"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # attempts exhausted; the feed still has the event
    CANCELLED = "cancelled"  # the subscription was deleted
    SUSPENDED = "suspended"  # held while its subscription is suspended


SUBSCRIPTION_TRANSITIONS: dict[SubscriptionStatus, frozenset[SubscriptionStatus]] = {
    SubscriptionStatus.ACTIVE: frozenset({SubscriptionStatus.SUSPENDED, SubscriptionStatus.DELETED}),
    SubscriptionStatus.SUSPENDED: frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.DELETED}),
    SubscriptionStatus.DELETED: frozenset(),
}
DELIVERY_TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.PENDING: frozenset(
        {DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED, DeliveryStatus.SUSPENDED}
    ),
    DeliveryStatus.SUSPENDED: frozenset({DeliveryStatus.PENDING, DeliveryStatus.CANCELLED}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.FAILED: frozenset(),
    DeliveryStatus.CANCELLED: frozenset(),
}
# Subscriptions that count against a region's cap, and that new events are queued for.
LIVE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED})


def can_move(current: SubscriptionStatus, to: SubscriptionStatus) -> bool:
    return to in SUBSCRIPTION_TRANSITIONS[current]


def new_delivery_status(subscription: SubscriptionStatus) -> DeliveryStatus:
    """An event announced while its subscription is suspended waits, marked so, for the resume."""
    return DeliveryStatus.SUSPENDED if subscription is SubscriptionStatus.SUSPENDED else DeliveryStatus.PENDING


@dataclass(frozen=True)
class RetryRules:
    max_attempts: int = 12
    base_s: float = 1.0
    cap_s: float = 3600.0
    circuit_failures: int = 10  # failed attempts in a row (any of its deliveries) that suspend a subscriber


def backoff(attempts: int, jitter: float, rules: RetryRules = RetryRules()) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base doubling up to the cap, the upper half of it
    drawn by `jitter` in [0, 1] (so subscribers that failed together do not all retry at once).
    `jitter=1.0` gives the longest wait: 1 s, 2 s, 4 s ... an hour."""
    ceiling = min(rules.base_s * 2 ** min(attempts - 1, 64), rules.cap_s)
    return timedelta(seconds=ceiling / 2 + ceiling / 2 * min(max(jitter, 0.0), 1.0))


@dataclass(frozen=True)
class AfterAttempt:
    delivery: DeliveryStatus
    retry_in: timedelta | None  # when pending: the wait before the next attempt
    consecutive_failures: int  # the subscription's, after this attempt
    suspend: bool  # the circuit opens now


def after_attempt(
    *, succeeded: bool, attempts: int, consecutive_failures: int, jitter: float, rules: RetryRules = RetryRules()
) -> AfterAttempt:
    """Where a delivery and its subscription stand after its `attempts`-th attempt."""
    if succeeded:
        return AfterAttempt(DeliveryStatus.DELIVERED, None, 0, False)
    failures = consecutive_failures + 1
    suspend = failures >= rules.circuit_failures
    if attempts >= rules.max_attempts:
        return AfterAttempt(DeliveryStatus.FAILED, None, failures, suspend)
    if suspend:
        return AfterAttempt(DeliveryStatus.SUSPENDED, None, failures, True)
    return AfterAttempt(DeliveryStatus.PENDING, backoff(attempts, jitter, rules), failures, False)
