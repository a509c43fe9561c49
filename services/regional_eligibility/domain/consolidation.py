"""One outcome per proposal, once every region has decided all its partners.

- Undecided while any check still needs a human.
- A partner is eligible when every check on it passes, and the checks on its region's
  partners together pass too.
- Consortium rules failing: not eligible.
- A funded partner not eligible: the call's policy decides. `reject_proposal`: not eligible.
  `drop_partner`: the partner is dropped and the consortium rules are checked again on the rest;
  eligible if they hold, otherwise not eligible. The outcome lists every reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shared.calls import CallConfiguration
from shared.events import ProposalSubmitted

from .checks import CONSORTIUM, CheckVerdict, consortium_failures, proposal_facts


@dataclass(frozen=True)
class CheckState:
    partner_id: str | None
    organisation_name: str
    region_code: str
    verdict: CheckVerdict
    reason: str


@dataclass(frozen=True)
class Decision:
    outcome: Literal["eligible", "not_eligible"]
    reasons: list[str]
    ineligible_partners: dict[str, list[str]] = field(default_factory=dict)
    dropped_partners: list[str] = field(default_factory=list)


def decide(call: CallConfiguration, proposal: ProposalSubmitted, checks: list[CheckState]) -> Decision | None:
    if any(check.verdict is CheckVerdict.NEEDS_HUMAN for check in checks):
        return None
    failures = [check for check in checks if check.verdict is CheckVerdict.FAIL]
    consortium = [check.reason for check in failures if check.region_code == CONSORTIUM]
    ineligible = _ineligible_partners(proposal, failures)
    if consortium:
        return Decision("not_eligible", consortium + _partner_reasons(ineligible), ineligible)
    if not ineligible:
        return Decision("eligible", [])
    if call.ineligible_partner_policy == "reject_proposal":
        return Decision("not_eligible", _partner_reasons(ineligible), ineligible)
    return _drop(call, proposal, ineligible)


def _ineligible_partners(proposal: ProposalSubmitted, failures: list[CheckState]) -> dict[str, list[str]]:
    ineligible: dict[str, list[str]] = {}
    for check in failures:
        if check.region_code == CONSORTIUM:
            continue
        # A rule on the region's partners together fails them all.
        affected = (
            [check.partner_id]
            if check.partner_id
            else [p.partner_id for p in proposal.partners if p.region_code == check.region_code]
        )
        for partner_id in affected:
            ineligible.setdefault(partner_id, []).append(check.reason)
    return ineligible


def _drop(call: CallConfiguration, proposal: ProposalSubmitted, ineligible: dict[str, list[str]]) -> Decision:
    names = {p.partner_id: p.organisation_name for p in proposal.partners}
    dropped = sorted(ineligible)
    reasons = [f"{names[p]} dropped: {'; '.join(ineligible[p])}" for p in dropped]
    facts, _ = proposal_facts(proposal, call, without=frozenset(dropped))
    remaining_failures = consortium_failures(call, facts) if facts else ["the remaining consortium cannot be judged"]
    if remaining_failures:
        return Decision(
            "not_eligible", reasons + [f"without them: {r}" for r in remaining_failures], ineligible, dropped
        )
    return Decision("eligible", reasons, ineligible, dropped)


def _partner_reasons(ineligible: dict[str, list[str]]) -> list[str]:
    return [reason for reasons in ineligible.values() for reason in reasons]
