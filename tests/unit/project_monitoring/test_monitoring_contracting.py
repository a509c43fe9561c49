"""project_monitoring's contracting state machine: every step allowed and refused, and what a project becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.project_monitoring.domain.contracting import (
    LOST,
    PROJECT_TRANSITIONS,
    TRANSITIONS,
    Offer,
    contract_refusal,
    days_between,
    due_at,
    is_overdue,
    next_status,
    project_outcome,
    released_by_region,
)
from services.project_monitoring.domain.contracting import (
    ContractAction as A,
)
from services.project_monitoring.domain.contracting import (
    ContractStatus as S,
)
from services.project_monitoring.domain.contracting import (
    ProjectStatus as P,
)

D = Decimal

# Written out here, apart from the code's table: a test of the table, not a copy of it.
ALLOWED = {
    (S.OFFERED, A.SIGN): S.SIGNED,
    (S.OFFERED, A.DECLINE): S.DECLINED,
    (S.OFFERED, A.WITHDRAW): S.WITHDRAWN,
    (S.SIGNED, A.WITHDRAW): S.WITHDRAWN,  # a partner may still withdraw before the project starts
}
PAST = {A.SIGN: "signed", A.DECLINE: "declined", A.WITHDRAW: "withdrawn"}


def test_statuses_and_actions_are_str_enums_and_the_steps_are_a_table() -> None:
    assert [s.value for s in S] == ["offered", "signed", "declined", "withdrawn"]
    assert [a.value for a in A] == ["sign", "decline", "withdraw"]
    assert TRANSITIONS == ALLOWED
    assert {S.DECLINED, S.WITHDRAWN} == LOST


@pytest.mark.parametrize(("status", "action"), list(product(S, A)))
def test_every_step_of_an_offer_while_the_project_is_contracting(status: S, action: A) -> None:
    refusal = contract_refusal(status, action, P.CONTRACTING)
    if (status, action) in ALLOWED:
        assert refusal is None
        assert next_status(status, action) is ALLOWED[(status, action)]
    else:
        assert refusal is not None and f"{status.value} cannot be {PAST[action]}:" in refusal
        with pytest.raises(KeyError):
            next_status(status, action)


@pytest.mark.parametrize(("status", "action", "project"), list(product(S, A, [P.STARTED, P.CANCELLED])))
def test_no_offer_changes_once_the_project_started_or_was_cancelled(status: S, action: A, project: P) -> None:
    assert (
        contract_refusal(status, action, project)
        == f"the project is {project.value}: its contracts can no longer change"
    )


def test_refusals_say_what_the_offer_can_still_do() -> None:
    assert contract_refusal(S.SIGNED, A.DECLINE, P.CONTRACTING) == (
        "an offer that is signed cannot be declined: it can only be withdraw"
    )
    assert (
        contract_refusal(S.DECLINED, A.SIGN, P.CONTRACTING)
        == "an offer that is declined cannot be signed: it is settled"
    )
    assert contract_refusal(S.WITHDRAWN, A.WITHDRAW, P.CONTRACTING) is not None


def test_the_project_moves_only_from_contracting_to_started_or_cancelled() -> None:
    assert {
        P.CONTRACTING: {P.STARTED, P.CANCELLED},
        P.STARTED: frozenset(),
        P.CANCELLED: frozenset(),
    } == PROJECT_TRANSITIONS


def test_an_offer_is_overdue_only_while_offered_and_after_its_due_date() -> None:
    offered = datetime(2027, 7, 1, 12, tzinfo=UTC)
    due = due_at(offered, 30)
    assert due == offered + timedelta(days=30)
    for status in S:
        assert is_overdue(status, due, due) is False  # on the due date itself: not yet
        assert is_overdue(status, due, due + timedelta(seconds=1)) is (status is S.OFFERED)
    assert days_between(offered, due) == 30 and days_between(due, offered) == 0


def offer(partner: str, region: str, status: S, amount: int = 100, released: bool = False) -> Offer:
    return Offer(partner, region, D(amount), status, released)


def holds(_: frozenset[str]) -> list[str]:
    return []


def breaks(_: frozenset[str]) -> list[str]:
    return ["at least 2 regions"]


class TestProjectOutcome:
    def test_all_signed_starts_the_project_and_gives_nothing_back(self) -> None:
        offers = [offer("a", "AT", S.SIGNED), offer("b", "CH", S.SIGNED)]
        for policy in ("cancel_project", "drop_partner"):
            assert project_outcome(offers, policy, breaks).status is P.STARTED
            assert project_outcome(offers, policy, breaks).release == ()

    def test_an_open_offer_keeps_it_contracting(self) -> None:
        outcome = project_outcome([offer("a", "AT", S.SIGNED), offer("b", "CH", S.OFFERED)], "drop_partner", holds)
        assert (outcome.status, outcome.release) == (P.CONTRACTING, ())

    def test_under_drop_partner_a_decline_gives_its_money_back_at_once_and_the_rest_go_on(self) -> None:
        offers = [offer("a", "AT", S.SIGNED), offer("b", "CH", S.DECLINED), offer("c", "AT", S.OFFERED)]
        assert project_outcome(offers, "drop_partner", holds) == project_outcome(offers, "drop_partner", breaks)
        assert project_outcome(offers, "drop_partner", holds).release == ("b",)
        settled = [offers[0], offer("b", "CH", S.DECLINED, released=True), offer("c", "AT", S.SIGNED)]
        started = project_outcome(settled, "drop_partner", holds)
        assert (started.status, started.release) == (P.STARTED, ())  # b's money went back already

    def test_under_drop_partner_a_consortium_that_breaks_cancels_and_gives_back_what_it_still_holds(self) -> None:
        offers = [offer("a", "AT", S.SIGNED), offer("b", "CH", S.DECLINED, released=True)]
        outcome = project_outcome(offers, "drop_partner", breaks)
        assert (outcome.status, outcome.release, outcome.reasons) == (P.CANCELLED, ("a",), ("at least 2 regions",))

    def test_no_partner_signed_cancels(self) -> None:
        outcome = project_outcome([offer("a", "AT", S.DECLINED), offer("b", "CH", S.WITHDRAWN)], "drop_partner", holds)
        assert (outcome.status, outcome.reasons) == (P.CANCELLED, ("no partner signed",))

    def test_under_cancel_project_the_first_partner_lost_cancels_everything_at_once(self) -> None:
        offers = [offer("a", "AT", S.SIGNED), offer("b", "CH", S.WITHDRAWN), offer("c", "DE", S.OFFERED)]
        outcome = project_outcome(offers, "cancel_project", holds)
        assert (outcome.status, outcome.release, outcome.reasons) == (P.CANCELLED, ("a", "b", "c"), ("b withdrawn",))

    def test_money_back_is_summed_per_region_for_the_chosen_partners(self) -> None:
        offers = [offer("a", "AT", S.DECLINED, 70), offer("b", "AT", S.DECLINED, 30), offer("c", "CH", S.SIGNED, 50)]
        assert released_by_region(offers, ["a", "b"]) == {"AT": D(100)}
        assert released_by_region(offers, ["a", "c"]) == {"AT": D(70), "CH": D(50)}
        assert released_by_region([offer("z", "AT", S.DECLINED, 0)], ["z"]) == {}


offers_st = st.lists(
    st.builds(
        offer,
        st.sampled_from([f"p{i}" for i in range(6)]),
        st.sampled_from(["AT", "CH", "DE"]),
        st.sampled_from(list(S)),
        st.integers(0, 500),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda o: o.partner_id,
).map(
    lambda offers: [
        o if o.status in LOST or not o.released else offer(o.partner_id, o.region_code, o.status, int(o.amount))
        for o in offers
    ]
)


@given(offers_st, st.sampled_from(["cancel_project", "drop_partner"]), st.booleans())
def test_the_outcome_is_a_step_the_table_allows_and_never_gives_money_back_twice(
    offers: list[Offer], policy: str, rules_hold: bool
) -> None:
    outcome = project_outcome(offers, policy, holds if rules_hold else breaks)  # type: ignore[arg-type]
    assert outcome.status is P.CONTRACTING or outcome.status in PROJECT_TRANSITIONS[P.CONTRACTING]
    by_id = {o.partner_id: o for o in offers}
    assert len(set(outcome.release)) == len(outcome.release)
    assert not any(by_id[p].released for p in outcome.release)
    if outcome.status is not P.CANCELLED:
        assert all(by_id[p].status in LOST for p in outcome.release)  # a project going on keeps its signed money
    else:
        assert {p for p, o in by_id.items() if not o.released} == set(outcome.release)  # all it still holds
    if all(o.status is S.SIGNED for o in offers):
        assert outcome.status is P.STARTED
    if any(o.status is S.OFFERED for o in offers) and outcome.status is not P.CANCELLED:
        assert outcome.status is P.CONTRACTING
