"""Retries and the circuit of webhook deliveries, as pure functions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.regional_eligibility.domain.webhooks import (
    DELIVERY_TRANSITIONS,
    SUBSCRIPTION_TRANSITIONS,
    DeliveryStatus,
    RetryRules,
    SubscriptionStatus,
    after_attempt,
    backoff,
    can_move,
    new_delivery_status,
)


def test_backoff_doubles_up_to_an_hour_at_the_longest_jitter() -> None:
    assert [backoff(n, 1.0).total_seconds() for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert backoff(13, 1.0) == timedelta(hours=1)
    assert backoff(10_000, 1.0) == timedelta(hours=1)  # no overflow for a very late attempt


@pytest.mark.parametrize("attempts", [1, 2, 5, 12, 30])
def test_jitter_draws_within_the_upper_half(attempts: int) -> None:
    longest = backoff(attempts, 1.0)
    assert backoff(attempts, 0.0) == longest / 2
    assert longest / 2 <= backoff(attempts, 0.37) <= longest
    assert backoff(attempts, -1.0) == longest / 2 and backoff(attempts, 2.0) == longest  # clamped


def test_jitter_spreads_subscribers_that_failed_together() -> None:
    waits = {backoff(6, fraction / 10) for fraction in range(11)}
    assert len(waits) == 11


def test_a_success_delivers_and_closes_the_count() -> None:
    after = after_attempt(succeeded=True, attempts=3, consecutive_failures=7, jitter=0.5)
    assert (after.delivery, after.retry_in, after.consecutive_failures, after.suspend) == (
        DeliveryStatus.DELIVERED,
        None,
        0,
        False,
    )


def test_a_failure_backs_off_and_counts() -> None:
    after = after_attempt(succeeded=False, attempts=2, consecutive_failures=0, jitter=1.0)
    assert (after.delivery, after.retry_in, after.consecutive_failures, after.suspend) == (
        DeliveryStatus.PENDING,
        timedelta(seconds=2),
        1,
        False,
    )


def test_the_circuit_opens_at_the_nth_failure_in_a_row() -> None:
    rules = RetryRules(circuit_failures=3)
    second = after_attempt(succeeded=False, attempts=2, consecutive_failures=1, jitter=0.0, rules=rules)
    third = after_attempt(succeeded=False, attempts=3, consecutive_failures=2, jitter=0.0, rules=rules)
    assert not second.suspend and second.delivery is DeliveryStatus.PENDING
    assert third.suspend and third.delivery is DeliveryStatus.SUSPENDED and third.retry_in is None
    # Failures of earlier deliveries count too: the count is the subscriber's, not one event's.
    other = after_attempt(succeeded=False, attempts=1, consecutive_failures=2, jitter=0.0, rules=rules)
    assert other.suspend


def test_attempts_exhausted_fail_the_delivery() -> None:
    rules = RetryRules(max_attempts=4, circuit_failures=100)
    after = after_attempt(succeeded=False, attempts=4, consecutive_failures=3, jitter=0.0, rules=rules)
    assert (after.delivery, after.retry_in, after.suspend) == (DeliveryStatus.FAILED, None, False)
    both = after_attempt(succeeded=False, attempts=4, consecutive_failures=99, jitter=0.0, rules=rules)
    assert both.delivery is DeliveryStatus.FAILED and both.suspend  # final, and the circuit opens as well


def test_status_transitions_are_data() -> None:
    assert can_move(SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
    assert can_move(SubscriptionStatus.SUSPENDED, SubscriptionStatus.ACTIVE)
    assert not can_move(SubscriptionStatus.DELETED, SubscriptionStatus.ACTIVE)
    assert set(SUBSCRIPTION_TRANSITIONS) == set(SubscriptionStatus)
    assert set(DELIVERY_TRANSITIONS) == set(DeliveryStatus)
    for final in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED):
        assert not DELIVERY_TRANSITIONS[final]
    assert new_delivery_status(SubscriptionStatus.SUSPENDED) is DeliveryStatus.SUSPENDED
    assert new_delivery_status(SubscriptionStatus.ACTIVE) is DeliveryStatus.PENDING
