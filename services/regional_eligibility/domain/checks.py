"""Per-partner checks and the consolidated outcome of a proposal.

For now one rule: the partner's region takes part in the call. The full regional rule set is
evaluated by the shared rule engine (shared/rules) once the call carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from shared.events import CallSnapshot, PartnerSnapshot


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_HUMAN = "needs_human"


@dataclass(frozen=True)
class PartnerVerdictDraft:
    partner_id: str
    organisation_name: str
    region_code: str
    rule: str
    verdict: Verdict
    reason: str


def check_partner(call: CallSnapshot, partner: PartnerSnapshot) -> list[PartnerVerdictDraft]:
    region = next((r for r in call.regions if r.code == partner.region_code), None)
    if region is None:
        verdict, reason = (
            Verdict.FAIL,
            (f"{partner.organisation_name}: region {partner.region_code} does not take part in call {call.code}"),
        )
    else:
        verdict, reason = (
            Verdict.PASS,
            (f"{partner.organisation_name}: region {region.name} ({region.code}) takes part in call {call.code}"),
        )
    return [
        PartnerVerdictDraft(
            partner.partner_id,
            partner.organisation_name,
            partner.region_code,
            "region.participates",
            verdict,
            reason,
        )
    ]


Decision = tuple[Literal["eligible", "not_eligible"], list[str]]


def consolidate(verdicts: list[PartnerVerdictDraft]) -> Decision | None:
    """(outcome, reasons) once every check is decided; None while a human still has to decide."""
    if any(v.verdict is Verdict.NEEDS_HUMAN for v in verdicts):
        return None
    failures = [v.reason for v in verdicts if v.verdict is Verdict.FAIL]
    if failures:
        return "not_eligible", failures
    return "eligible", []
