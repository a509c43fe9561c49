"""The call's statuses as data: the steps an agency may take by hand are exactly these, every other is refused;
the kinds of version are the publication and the amendments' kinds."""

from __future__ import annotations

import itertools
import typing

from services.call_definition.domain.amendments import Amendment, VersionKind
from services.call_definition.domain.lifecycle import CallStatus, transition_refusal

S = CallStatus
BY_HAND = {
    (S.DRAFT, S.PUBLISHED),
    (S.CLOSED, S.ELIGIBILITY),
    (S.ELIGIBILITY, S.EVALUATION),
    (S.EVALUATION, S.RANKING),
    (S.RANKING, S.FUNDING_DECISIONS),
    (S.FUNDING_DECISIONS, S.RESULTS_PUBLISHED),
}


def test_an_agency_may_take_exactly_the_steps_of_the_table_and_no_other() -> None:
    for current, target in itertools.product(CallStatus, repeat=2):
        refusal = transition_refusal(current, target)
        assert (refusal is None) == ((current, target) in BY_HAND), (current, target, refusal)


def test_every_amendment_kind_is_a_kind_of_version() -> None:
    (union, _) = typing.get_args(Amendment)
    kinds = {typing.get_args(model.model_fields["kind"].annotation)[0] for model in typing.get_args(union)}
    assert kinds | {"publication"} == {kind.value for kind in VersionKind}
