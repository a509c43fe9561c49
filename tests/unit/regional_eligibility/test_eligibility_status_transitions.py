"""The eligibility service's statuses as data: a case, a check's verdict, a webhook subscription and a delivery
move exactly as their tables say, every other move is refused."""

from __future__ import annotations

import itertools

import pytest

from services.regional_eligibility.domain import webhooks
from services.regional_eligibility.domain.checks import CheckVerdict, can_decide
from services.regional_eligibility.domain.lifecycle import CaseStatus, can_move, moved
from services.regional_eligibility.domain.webhooks import DeliveryStatus, SubscriptionStatus

C = CaseStatus
CASE_MOVES = {
    *((C.AWAITING_DEADLINE, to) for to in (C.AWAITING_DEADLINE, C.CHECKING, C.WITHDRAWN)),
    *((C.CHECKING, to) for to in (C.AWAITING_DEADLINE, C.CHECKING, C.DECIDED, C.WITHDRAWN)),
    *((C.DECIDED, to) for to in (C.AWAITING_DEADLINE, C.CHECKING, C.DECIDED, C.WITHDRAWN)),
}
W = SubscriptionStatus
SUBSCRIPTION_MOVES = {(W.ACTIVE, W.SUSPENDED), (W.ACTIVE, W.DELETED), (W.SUSPENDED, W.ACTIVE), (W.SUSPENDED, W.DELETED)}
V = CheckVerdict
VERDICT_MOVES = {(current, to) for current in CheckVerdict for to in (V.PASS, V.FAIL)}
D = DeliveryStatus
DELIVERY_MOVES = {
    *((D.PENDING, to) for to in (D.DELIVERED, D.FAILED, D.CANCELLED, D.SUSPENDED)),
    (D.SUSPENDED, D.PENDING),
    (D.SUSPENDED, D.CANCELLED),
}


def test_a_case_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(CaseStatus, repeat=2):
        assert can_move(current, to) == ((current, to) in CASE_MOVES), (current, to)
        if (current, to) in CASE_MOVES:
            assert moved(current.value, to) is to
        else:
            with pytest.raises(ValueError, match="cannot move"):
                moved(current.value, to)


def test_a_new_case_only_starts_awaiting_the_deadline() -> None:
    assert moved(None, C.AWAITING_DEADLINE) is C.AWAITING_DEADLINE
    for to in set(CaseStatus) - {C.AWAITING_DEADLINE}:
        with pytest.raises(ValueError):
            moved(None, to)


def test_a_subscription_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(SubscriptionStatus, repeat=2):
        assert webhooks.can_move(current, to) == ((current, to) in SUBSCRIPTION_MOVES), (current, to)


def test_a_delivery_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(DeliveryStatus, repeat=2):
        assert (to in webhooks.DELIVERY_TRANSITIONS[current]) == ((current, to) in DELIVERY_MOVES), (current, to)


def test_an_officer_makes_any_verdict_pass_or_fail_and_none_need_a_human_again() -> None:
    for current, to in itertools.product(CheckVerdict, repeat=2):
        assert can_decide(current, to) == ((current, to) in VERDICT_MOVES), (current, to)
