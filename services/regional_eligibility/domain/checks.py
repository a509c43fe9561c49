"""The automatic checks of a submitted proposal, by the shared rule engine.

Every partner from a participating region is judged by that region's rules (manual checks
become open items for its officers); partners from elsewhere only by the call's self-funding
rule; the consortium rules judge the proposal as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from shared.calls import CallConfiguration
from shared.events import PartnerSnapshot, ProposalSubmitted
from shared.rules.consortium import evaluate_consortium
from shared.rules.model import ConsortiumRules, Outcome, ProposalFacts, RegionalRules, Verdict
from shared.rules.regional import evaluate_partner, evaluate_region

CONSORTIUM = "consortium"  # the "region" of checks on the proposal as a whole


class CheckVerdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NEEDS_HUMAN = "needs_human"


# What an officer's decision makes of a verdict: pass or fail (and again, until the checks are final); nothing
# goes back to needing a human.
VERDICT_TRANSITIONS: dict[CheckVerdict, frozenset[CheckVerdict]] = {
    CheckVerdict.NEEDS_HUMAN: frozenset({CheckVerdict.PASS, CheckVerdict.FAIL}),
    CheckVerdict.PASS: frozenset({CheckVerdict.PASS, CheckVerdict.FAIL}),
    CheckVerdict.FAIL: frozenset({CheckVerdict.PASS, CheckVerdict.FAIL}),
}


def can_decide(current: CheckVerdict, to: CheckVerdict) -> bool:
    return to in VERDICT_TRANSITIONS[current]


@dataclass(frozen=True)
class CheckDraft:
    partner_id: str | None  # None: the rule is on the region's partners together, or the consortium
    organisation_name: str  # the partner's; a region's partners' (comma-separated); the proposal's acronym
    region_code: str  # a region code, or CONSORTIUM
    rule: str
    verdict: CheckVerdict
    reason: str
    details: dict[str, str] = field(default_factory=dict)  # the numbers behind the reason (Verdict.details)


class RuleBook:
    """A call's rules as the rule engine takes them, each part built the first time it is asked for: one book for
    the proposals judged together (the rules are the same for each of them), not one a proposal."""

    def __init__(self, call: CallConfiguration) -> None:
        self.call = call

    @cached_property
    def regional(self) -> dict[str, RegionalRules]:
        return self.call.regional_rules()

    @cached_property
    def consortium(self) -> ConsortiumRules:
        return self.call.consortium_rules_for_engine()

    @cached_property
    def currencies(self) -> dict[str, str]:
        """Each participating region's currency."""
        return {region.code: region.currency for region in self.call.regions}

    @cached_property
    def reporting_rates(self) -> dict[str, Decimal]:
        return self.call.reporting_rates()


def automatic_checks(
    call: CallConfiguration, proposal: ProposalSubmitted, book: RuleBook | None = None
) -> list[CheckDraft]:
    """`book`: the call's rules, when the caller judges several proposals (else built here)."""
    book = RuleBook(call) if book is None else book
    facts, by_key = proposal_facts(proposal, call)
    if facts is None:
        return [
            CheckDraft(
                None,
                proposal.acronym,
                CONSORTIUM,
                "data.complete",
                CheckVerdict.NEEDS_HUMAN,
                "the submission lacks the data the rules need (TRL, duration or partner types)",
            )
        ]
    checks = [_check(v, by_key, CONSORTIUM, proposal.acronym) for v in _consortium_verdicts(book, facts)]
    for code, region_rules in book.regional.items():
        partners = [p for p in facts.partners if p.region_code == code]
        if not partners:
            continue
        together = ", ".join(p.organisation_name for p in partners)  # a rule on the region's partners together
        checks += [
            _check(v, by_key, code, together) for p in partners for v in evaluate_partner(region_rules, p, facts)
        ]
        checks += [_check(v, by_key, code, together) for v in evaluate_region(region_rules, partners, facts)]
    return checks


def proposal_facts(
    proposal: ProposalSubmitted, call: CallConfiguration, *, without: frozenset[str] = frozenset()
) -> tuple[ProposalFacts | None, dict[str, PartnerSnapshot]]:
    """The rule engine's facts (partners keyed by their key), leaving out the partners in `without`."""
    return proposal.rule_facts(without=without), {p.key or p.partner_id: p for p in proposal.partners}


def consortium_failures(call: CallConfiguration, facts: ProposalFacts) -> list[tuple[str, str, dict[str, str]]]:
    """The consortium rules the facts break: (rule, reason, numbers) each."""
    verdicts = _consortium_verdicts(RuleBook(call), facts)
    return [(v.rule, v.reason, dict(v.details)) for v in verdicts if v.outcome is Outcome.FAIL]


def _consortium_verdicts(book: RuleBook, facts: ProposalFacts) -> list[Verdict]:
    return evaluate_consortium(
        book.consortium,
        facts,
        book.currencies,
        book.reporting_rates,
        reporting_currency=book.call.funding.reporting_currency,
    )


def _check(verdict: Verdict, by_key: dict[str, PartnerSnapshot], region: str, several: str) -> CheckDraft:
    """`several`: the name a check on several partners carries (a region's partners, or the proposal)."""
    partner = by_key.get(verdict.partner_id or "")
    return CheckDraft(
        partner_id=partner.partner_id if partner else None,
        organisation_name=partner.organisation_name if partner else several,
        region_code=region,
        rule=verdict.rule,
        verdict=CheckVerdict(verdict.outcome.value),
        reason=verdict.reason,
        details=dict(verdict.details),
    )
