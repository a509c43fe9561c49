"""A proposal's statuses as data: a draft or a submitted proposal may be submitted (again) or withdrawn; a
withdrawn one goes nowhere; nothing goes back to being a draft."""

from __future__ import annotations

import itertools
import typing

from services.proposal_intake.domain.lifecycle import InvitationStatus, ProposalStatus, can_move
from shared.events import InvitationOutcome

S = ProposalStatus
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.SUBMITTED),
    (S.SUBMITTED, S.WITHDRAWN),
}


def test_a_proposal_moves_exactly_as_the_table_says() -> None:
    for current, to in itertools.product(ProposalStatus, repeat=2):
        assert can_move(current, to) == ((current, to) in ALLOWED), (current, to)


def test_an_invitation_status_is_one_the_shortlist_announces() -> None:
    announced = typing.get_args(InvitationOutcome.model_fields["status"].annotation)
    assert set(announced) == {status.value for status in InvitationStatus}
