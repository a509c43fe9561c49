"""What a consortium sees of its own proposal's eligibility (pure, no I/O).

Per partner: its region, whether its region has decided it (no item left with the region's officers), and
once decided the verdict with the reasons of the rules it breaks (the rule, its sentence and its numbers); the
consortium-level rules the same way. What an applicant sees is the rule's reason as the rules state it and
whether an officer decided it (confirmed, overrode or closed a manual item); never the officer's own note,
nor who decided: those stay with the region's audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.calls import CallConfiguration
from shared.events import ProposalSubmitted

from .checks import CONSORTIUM, CheckVerdict
from .consolidation import CheckState, decide
from .lifecycle import CaseStatus

PartyStatus = CaseStatus  # a partner is where its case is


@dataclass(frozen=True)
class ApplicantCheck:
    """A current check as the view needs it: its state (with the rule's numbers), how it was decided."""

    state: CheckState
    automatic_verdict: CheckVerdict
    by_officer: bool  # an officer confirmed, overrode or closed it


@dataclass(frozen=True)
class ApplicantReason:
    rule: str
    region_code: str  # the region whose rule it is, or `consortium`
    text: str  # the rule's reason as the rules state it (English)
    details: dict[str, str]  # the numbers behind it
    decided_by: Literal["rules", "officers"]
    overridden: bool  # an officer changed the automatic verdict


@dataclass(frozen=True)
class PartyOutcome:
    """A partner, or the consortium as a whole (partner_id None)."""

    partner_id: str | None
    organisation_name: str
    region_code: str
    participating: bool  # False: a partner from outside the call's regions (self-funded)
    status: PartyStatus
    verdict: Literal["pending", "eligible", "not_eligible"]
    dropped: bool  # not eligible and dropped from the proposal (the call's drop_partner policy)
    reasons: list[ApplicantReason] = field(default_factory=list)  # the rules broken, once decided
    pending: list[ApplicantReason] = field(default_factory=list)  # items still with the officers


@dataclass(frozen=True)
class ApplicantOutcome:
    partners: list[PartyOutcome]
    consortium: PartyOutcome


def applicant_outcome(
    config: CallConfiguration, submitted: ProposalSubmitted, status: CaseStatus, checks: list[ApplicantCheck]
) -> ApplicantOutcome:
    """The view of a case in `status` with its current `checks` (none before the deadline or after a withdrawal)."""
    participating = {region.code for region in config.regions}
    everything_decided = bool(checks) and all(c.state.verdict is not CheckVerdict.NEEDS_HUMAN for c in checks)
    decision = decide(config, submitted, [c.state for c in checks]) if everything_decided else None
    dropped = set(decision.dropped_partners) if decision else set()

    def party(
        partner_id: str | None, name: str, region: str, mine: list[ApplicantCheck], inside: bool = True
    ) -> PartyOutcome:
        if status in (CaseStatus.AWAITING_DEADLINE, CaseStatus.WITHDRAWN):
            return PartyOutcome(partner_id, name, region, inside, status, "pending", False)
        open_items = [_reason(c) for c in mine if c.state.verdict is CheckVerdict.NEEDS_HUMAN]
        if open_items:
            return PartyOutcome(
                partner_id, name, region, inside, CaseStatus.CHECKING, "pending", False, pending=open_items
            )
        broken = [_reason(c) for c in mine if c.state.verdict is CheckVerdict.FAIL]
        verdict: Literal["eligible", "not_eligible"] = "not_eligible" if broken else "eligible"
        return PartyOutcome(
            partner_id, name, region, inside, CaseStatus.DECIDED, verdict, partner_id in dropped, broken
        )

    partners = [
        party(
            p.partner_id,
            p.organisation_name,
            p.region_code,
            [c for c in checks if _concerns(c.state, p.partner_id, p.region_code)],
            p.region_code in participating,
        )
        for p in submitted.partners
    ]
    consortium = party(None, submitted.acronym, CONSORTIUM, [c for c in checks if c.state.region_code == CONSORTIUM])
    return ApplicantOutcome(partners, consortium)


def _concerns(check: CheckState, partner_id: str, region_code: str) -> bool:
    """A region's check on this partner, or on its region's partners together (which fails them all)."""
    if check.region_code == CONSORTIUM:
        return False
    return check.partner_id == partner_id or (check.partner_id is None and check.region_code == region_code)


def _reason(check: ApplicantCheck) -> ApplicantReason:
    state = check.state
    return ApplicantReason(
        rule=state.rule,
        region_code=state.region_code,
        text=state.reason,
        details=dict(state.details),
        decided_by="officers" if check.by_officer else "rules",
        overridden=check.by_officer
        and check.automatic_verdict is not CheckVerdict.NEEDS_HUMAN
        and check.automatic_verdict is not state.verdict,
    )
