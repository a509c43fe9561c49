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
from shared.events import ProposalSubmitted, ReasonDetail

from .checks import CONSORTIUM, CheckVerdict, consortium_failures, proposal_facts


@dataclass(frozen=True)
class CheckState:
    partner_id: str | None
    organisation_name: str
    region_code: str
    verdict: CheckVerdict
    reason: str
    rule: str = ""
    details: dict[str, str] = field(default_factory=dict)

    def detail(self) -> ReasonDetail:
        """The check's reason as data, its sentence naming whom it is about."""
        return ReasonDetail(
            text=subject_reason(self),
            rule=self.rule,
            region_code=self.region_code,
            partner_id=self.partner_id,
            organisation_name=self.organisation_name,
            details=self.details,
        )


def subject_reason(check: CheckState) -> str:
    """The reason with its subject first: "Bayern Werk GmbH (DE-BY): requested ..."; a rule on a region's partners
    together names them with the region; the consortium's rules speak of the consortium already."""
    name = check.organisation_name
    if not name or name in check.reason:  # the sentence names its subject already
        return check.reason
    if check.region_code == CONSORTIUM:
        return f"{name}: {check.reason}" if check.partner_id else check.reason
    together = "" if check.partner_id else ", together"
    return f"{name} ({check.region_code}{together}): {check.reason}"


@dataclass(frozen=True)
class Decision:
    outcome: Literal["eligible", "not_eligible"]
    details: list[ReasonDetail]  # every reason as data; `reasons` are their sentences
    ineligible_partners: dict[str, list[ReasonDetail]] = field(default_factory=dict)
    dropped_partners: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [detail.text for detail in self.details]


def decide(call: CallConfiguration, proposal: ProposalSubmitted, checks: list[CheckState]) -> Decision | None:
    if any(check.verdict is CheckVerdict.NEEDS_HUMAN for check in checks):
        return None
    failures = [check for check in checks if check.verdict is CheckVerdict.FAIL]
    consortium = [check.detail() for check in failures if check.region_code == CONSORTIUM]
    ineligible = _ineligible_partners(proposal, failures)
    if consortium:
        return Decision("not_eligible", consortium + _partner_reasons(ineligible), ineligible)
    if not ineligible:
        return Decision("eligible", [])
    if call.ineligible_partner_policy == "reject_proposal":
        return Decision("not_eligible", _partner_reasons(ineligible), ineligible)
    return _drop(call, proposal, ineligible)


def _ineligible_partners(proposal: ProposalSubmitted, failures: list[CheckState]) -> dict[str, list[ReasonDetail]]:
    ineligible: dict[str, list[ReasonDetail]] = {}
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
            ineligible.setdefault(partner_id, []).append(check.detail())
    return ineligible


def _drop(call: CallConfiguration, proposal: ProposalSubmitted, ineligible: dict[str, list[ReasonDetail]]) -> Decision:
    names = {p.partner_id: p.organisation_name for p in proposal.partners}
    dropped = sorted(ineligible)
    details = [
        detail.model_copy(update={"text": f"{names[p]} dropped: {detail.text}"})
        for p in dropped
        for detail in ineligible[p]
    ]
    facts, _ = proposal_facts(proposal, call, without=frozenset(dropped))
    remaining = consortium_failures(call, facts) if facts else []
    if facts is None:
        remaining = [("data.complete", "the remaining consortium cannot be judged", {})]
    if remaining:
        details += [
            ReasonDetail(
                text=f"without them: {reason}",
                rule=rule,
                region_code=CONSORTIUM,
                organisation_name=proposal.acronym,
                details=numbers,
            )
            for rule, reason, numbers in remaining
        ]
        return Decision("not_eligible", details, ineligible, dropped)
    return Decision("eligible", details, ineligible, dropped)


def _partner_reasons(ineligible: dict[str, list[ReasonDetail]]) -> list[ReasonDetail]:
    return [detail for details in ineligible.values() for detail in details]
