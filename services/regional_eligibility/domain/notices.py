"""What a region's feed (and so its webhooks) says of events other services publish about the proposals and
projects with its partners: the shortlist's invitations, a partner's contract offer overdue, a payment held by
a late report. Pure functions from an event to (kind, payload) per region."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.events import GrantOverdue, InvitationOutcome, InvitationsPublished, ReportOverdue


class NoticeKind(StrEnum):
    """The feed kinds of these notices (beside checks.opened, outcome.decided, proposal.withdrawn)."""

    INVITED = "proposal.invited"
    NOT_INVITED = "proposal.not_invited"
    GRANT_OVERDUE = "grant.overdue"
    PAYMENT_HELD = "payment.held"


@dataclass(frozen=True)
class Notice:
    regions: frozenset[str]
    kind: NoticeKind
    proposal_id: str
    payload: dict[str, Any]


def invitation_notice(published: InvitationsPublished, outcome: InvitationOutcome, regions: frozenset[str]) -> Notice:
    """One pre-proposal's outcome, for each region with partners in it: invited with the stage-2 window, or
    not invited with why (`status`: below_threshold, no_go, cap_reached, ineligible) in words."""
    payload: dict[str, Any] = {
        "call_id": str(published.call_id),
        "proposal_id": str(outcome.pre_proposal_id),
        "acronym": outcome.acronym,
        "status": outcome.status,
    }
    if outcome.status == "invited":
        kind = NoticeKind.INVITED
        payload["stage_two_opens"] = published.stage_two_opens.isoformat()
        payload["stage_two_deadline"] = published.stage_two_deadline.isoformat()
    else:
        kind = NoticeKind.NOT_INVITED
        payload["reasons"] = list(outcome.reasons)
    return Notice(regions, kind, str(outcome.pre_proposal_id), payload)


def grant_overdue_notice(overdue: GrantOverdue, acronym: str | None) -> Notice:
    """A partner's offer not signed by its deadline: for the partner's own region only."""
    payload = {
        "call_id": str(overdue.call_id),
        "proposal_id": str(overdue.proposal_id),
        "acronym": acronym,
        "partner_id": overdue.partner_id,
        "amount": {"amount": str(overdue.amount.amount), "currency": overdue.amount.currency},
        "due_at": overdue.due_at.isoformat(),
    }
    return Notice(frozenset({overdue.region_code}), NoticeKind.GRANT_OVERDUE, str(overdue.proposal_id), payload)


def payment_held_notice(overdue: ReportOverdue, acronym: str | None) -> Notice:
    """A period's report is late: each region funding the project holds its next payment until it accepts
    the report."""
    payload = {
        "call_id": str(overdue.call_id),
        "proposal_id": str(overdue.proposal_id),
        "acronym": acronym,
        "period": overdue.period,
        "report_due_at": overdue.due_at.isoformat(),
        "next_payment_held": True,
    }
    regions = frozenset(overdue.payments_held)
    return Notice(regions, NoticeKind.PAYMENT_HELD, str(overdue.proposal_id), payload)
