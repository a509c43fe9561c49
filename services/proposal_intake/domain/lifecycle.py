"""Where a proposal stands, and the outcome its pre-proposal got at the shortlist (pure).

A proposal is a draft until its first submission; it may be submitted again (a new version) until the
deadline, and withdrawn, draft or submitted; a withdrawn proposal goes nowhere. An invitation's status is the
shortlist's outcome for a pre-proposal (the InvitationsPublished event's): recorded, never moved by intake.
"""

from __future__ import annotations

from enum import StrEnum


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.DRAFT: frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.SUBMITTED: frozenset({ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.WITHDRAWN: frozenset(),
}


def can_move(current: ProposalStatus, to: ProposalStatus) -> bool:
    return to in TRANSITIONS[current]


class InvitationStatus(StrEnum):
    INVITED = "invited"
    CAP_REACHED = "cap_reached"
    NO_GO = "no_go"
    BELOW_THRESHOLD = "below_threshold"
    INELIGIBLE = "ineligible"
