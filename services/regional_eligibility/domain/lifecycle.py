"""Where a proposal's eligibility case stands, what it has come to, and what its region's feed says of it (pure).

A case awaits its stage's deadline; when it passes its checks open (checking); once every region has decided
all its partners it is decided, and a later verdict changed by an officer may take it back to checking or to
another outcome. A newer version (a deadline extension) sets it awaiting the deadline again; a withdrawal ends
it, and nothing moves a withdrawn case.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    AWAITING_DEADLINE = "awaiting_deadline"
    CHECKING = "checking"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


S = CaseStatus
CASE_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.AWAITING_DEADLINE: frozenset({S.AWAITING_DEADLINE, S.CHECKING, S.WITHDRAWN}),
    S.CHECKING: frozenset({S.AWAITING_DEADLINE, S.CHECKING, S.DECIDED, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.AWAITING_DEADLINE, S.CHECKING, S.DECIDED, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}


def can_move(current: CaseStatus, to: CaseStatus) -> bool:
    return to in CASE_TRANSITIONS[current]


def moved(current: str | None, to: CaseStatus) -> CaseStatus:
    """`to`, if a case in `current` may move there (None: a new case, which starts awaiting the deadline);
    otherwise ValueError: the callers look first (a withdrawn case is left alone), so this is a bug."""
    if current is None and to is S.AWAITING_DEADLINE:
        return to
    if current is None or not can_move(CaseStatus(current), to):
        raise ValueError(f"an eligibility case cannot move from {current} to {to.value}")
    return to


class CaseOutcome(StrEnum):
    """What the case has come to: pending until decided; a correction may change it either way."""

    PENDING = "pending"
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


class CaseFeedKind(StrEnum):
    """What a region's feed says of a case (beside domain.notices.NoticeKind, of other services' events)."""

    CHECKS_OPENED = "checks.opened"
    OUTCOME_DECIDED = "outcome.decided"
    PROPOSAL_WITHDRAWN = "proposal.withdrawn"
