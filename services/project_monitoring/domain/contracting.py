"""Contracting after the results: one offer per funded partner, signed, declined or withdrawn (pure).

* **Steps as data.** ``TRANSITIONS`` maps (status, action) to the next status; anything else is refused with
  the reason in words. A region *declines* its offer to a partner; a partner *withdraws* (also after signing,
  before the project starts).
* **Deadline.** An offer is due ``signature_days`` after it was made; one still offered after that is overdue.
* **The project.** While any offer is open, the project is contracting. Once every offer is settled: all signed
  starts it; otherwise the call's ``missing_partner_policy`` decides: ``cancel_project``, or ``drop_partner``
  (the partners that signed go on if the consortium rules still hold without the others, as eligibility's
  drop-partner policy). Under ``cancel_project`` the first partner lost cancels the project at once.
* **Money back.** A partner lost under ``drop_partner`` gives its grant back to its region at once; a cancelled
  project gives back every grant it still holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal


class ContractStatus(StrEnum):
    OFFERED = "offered"
    SIGNED = "signed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ContractAction(StrEnum):
    SIGN = "sign"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[ContractStatus, ContractAction], ContractStatus] = {
    (ContractStatus.OFFERED, ContractAction.SIGN): ContractStatus.SIGNED,
    (ContractStatus.OFFERED, ContractAction.DECLINE): ContractStatus.DECLINED,
    (ContractStatus.OFFERED, ContractAction.WITHDRAW): ContractStatus.WITHDRAWN,
    (ContractStatus.SIGNED, ContractAction.WITHDRAW): ContractStatus.WITHDRAWN,
}
ACTION_DONE = {ContractAction.SIGN: "signed", ContractAction.DECLINE: "declined", ContractAction.WITHDRAW: "withdrawn"}
LOST = frozenset({ContractStatus.DECLINED, ContractStatus.WITHDRAWN})


class ProjectStatus(StrEnum):
    CONTRACTING = "contracting"
    STARTED = "started"
    CANCELLED = "cancelled"


PROJECT_TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.CONTRACTING: frozenset({ProjectStatus.STARTED, ProjectStatus.CANCELLED}),
    ProjectStatus.STARTED: frozenset(),
    ProjectStatus.CANCELLED: frozenset(),
}

MissingPartnerPolicy = Literal["cancel_project", "drop_partner"]


def can_move_project(current: ProjectStatus, to: ProjectStatus) -> bool:
    return to in PROJECT_TRANSITIONS[current]


@dataclass(frozen=True)
class ContractStep:
    """A step a region records on an offer, with what it says: a signature its agreement's reference (and the
    day it was signed, default today), a decline or a withdrawal why."""

    action: ContractAction
    reference: str | None = None
    signed_on: date | None = None
    reason: str | None = None


def contract_refusal(status: ContractStatus, action: ContractAction, project: ProjectStatus) -> str | None:
    """None if ``action`` may be taken on an offer in ``status`` of a project in ``project``; else why not."""
    if project is not ProjectStatus.CONTRACTING:
        return f"the project is {project.value}: its contracts can no longer change"
    if (status, action) in TRANSITIONS:
        return None
    allowed = offer_actions(status)
    hint = f"it can only be {', '.join(allowed)}" if allowed else "it is settled"
    return f"an offer that is {status.value} cannot be {ACTION_DONE[action]}: {hint}"


def offer_actions(status: ContractStatus) -> list[str]:
    """The actions an offer in ``status`` may take, by name."""
    return sorted(a.value for (s, a) in TRANSITIONS if s is status)


def next_status(status: ContractStatus, action: ContractAction) -> ContractStatus:
    return TRANSITIONS[(status, action)]


def due_at(offered_at: datetime, signature_days: int) -> datetime:
    return offered_at + timedelta(days=signature_days)


def is_overdue(status: ContractStatus, due: datetime, now: datetime) -> bool:
    return status is ContractStatus.OFFERED and now > due


@dataclass(frozen=True, slots=True)
class Offer:
    partner_id: str
    region_code: str
    amount: Decimal
    status: ContractStatus
    released: bool = False  # its money already went back to the region


@dataclass(frozen=True, slots=True)
class Outcome:
    status: ProjectStatus
    release: tuple[str, ...]  # partner ids whose money goes back now
    reasons: tuple[str, ...] = ()


# Given the partner ids that go on, the consortium rules they fail (empty: they hold).
RuleCheck = Callable[[frozenset[str]], list[str]]


def project_outcome(offers: Sequence[Offer], policy: MissingPartnerPolicy, failures_without: RuleCheck) -> Outcome:
    """What the project becomes given its offers, and whose money goes back now (never twice)."""
    lost = [o for o in offers if o.status in LOST]
    if lost and policy == "cancel_project":
        reasons = tuple(f"{o.partner_id} {o.status.value}" for o in lost)
        return Outcome(ProjectStatus.CANCELLED, _unreleased(offers), reasons)
    if any(o.status is ContractStatus.OFFERED for o in offers):
        return Outcome(ProjectStatus.CONTRACTING, tuple(o.partner_id for o in lost if not o.released))
    if not lost:
        return Outcome(ProjectStatus.STARTED, ())
    going_on = frozenset(o.partner_id for o in offers if o.status is ContractStatus.SIGNED)
    failures = failures_without(going_on) if going_on else ["no partner signed"]
    if failures:
        return Outcome(ProjectStatus.CANCELLED, _unreleased(offers), tuple(failures))
    return Outcome(ProjectStatus.STARTED, tuple(o.partner_id for o in lost if not o.released))


def _unreleased(offers: Sequence[Offer]) -> tuple[str, ...]:
    return tuple(o.partner_id for o in offers if not o.released)


def released_by_region(offers: Sequence[Offer], partner_ids: Sequence[str]) -> dict[str, Decimal]:
    """The money going back, per region, for the given partners."""
    chosen = set(partner_ids)
    totals: dict[str, Decimal] = {}
    for offer in offers:
        if offer.partner_id in chosen and offer.amount > 0:
            totals[offer.region_code] = totals.get(offer.region_code, Decimal(0)) + offer.amount
    return totals


def days_between(start: datetime, end: datetime) -> int:
    return max(0, (end - start).days)
