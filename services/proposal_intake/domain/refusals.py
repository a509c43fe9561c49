"""Submissions refused, as the secretariat reads them: how many per rule, and each draft's last refusal.

A refusal is recorded (in the audit trail, on the call) whenever a submission is refused for its content (422:
missing data, consortium rules) or its timing (409: the deadline passed, or the call not open yet).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

REFUSED = "proposal.refused"
COMPLETENESS = "completeness"  # the rule a missing field breaks
SUBMISSION_WINDOW = "submission_window"  # the rule a submission outside the window breaks


def rules_of(errors: list[dict[str, str]]) -> list[str]:
    """The rules a refusal names, once each, in order: a consortium rule's message starts with its name
    (`consortium.min_partners: ...`); a missing or wrong field is `completeness`."""
    rules: list[str] = []
    for error in errors:
        name, separator, _ = error.get("message", "").partition(": ")
        rule = name if separator and "." in name and " " not in name else COMPLETENESS
        if rule not in rules:
            rules.append(rule)
    return rules


@dataclass(frozen=True)
class Refusal:
    at: datetime
    proposal_id: str
    applicant_id: str
    acronym: str | None
    status: int
    rules: list[str]
    errors: list[dict[str, str]]

    @classmethod
    def from_audit(cls, at: datetime, after: dict[str, Any]) -> Refusal:
        return cls(
            at=at,
            proposal_id=after["proposal_id"],
            applicant_id=after["applicant_id"],
            acronym=after.get("acronym"),
            status=int(after["status"]),
            rules=list(after["rules"]),
            errors=list(after["errors"]),
        )


@dataclass(frozen=True)
class RuleCount:
    rule: str
    refusals: int  # submissions refused naming the rule
    proposals: int  # distinct drafts refused for it


@dataclass(frozen=True)
class RefusalSummary:
    total: int
    proposals: int
    by_rule: list[RuleCount]  # most refusals first, then by rule
    last_per_proposal: list[Refusal]  # latest first


def summarise(refusals: list[Refusal]) -> RefusalSummary:
    """`refusals` in any order; equal instants keep their given order."""
    ordered = sorted(refusals, key=lambda refusal: refusal.at)
    counts: Counter[str] = Counter(rule for refusal in ordered for rule in refusal.rules)
    drafts: dict[str, set[str]] = {}
    last: dict[str, Refusal] = {}
    for refusal in ordered:
        last[refusal.proposal_id] = refusal
        for rule in refusal.rules:
            drafts.setdefault(rule, set()).add(refusal.proposal_id)
    by_rule = [RuleCount(rule, n, len(drafts[rule])) for rule, n in counts.items()]
    by_rule.sort(key=lambda count: (-count.refusals, count.rule))
    return RefusalSummary(
        total=len(ordered),
        proposals=len(last),
        by_rule=by_rule,
        last_per_proposal=sorted(last.values(), key=lambda refusal: refusal.at, reverse=True),
    )
