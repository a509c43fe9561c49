"""The live pre-check: the call's consortium rules and every region's own rules for its own
partners, through the shared rule engine, so it can never disagree with the official check."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared.calls import CallConfiguration
from shared.proposals import ProposalDraft
from shared.rules.model import ConsortiumRules, Outcome, RegionalRules, Verdict
from shared.rules.precheck import PrecheckReport, precheck


def precheck_draft(draft: ProposalDraft, call: CallConfiguration) -> PrecheckReport | None:
    """None while the draft lacks what every rule needs (TRL, duration)."""
    rules = _rules_of(call)
    facts = draft.facts(rules.currencies)
    if facts is None:
        return None
    return precheck(
        rules.consortium,
        rules.regions,
        rules.reporting_rates,
        facts,
        reporting_currency=call.funding.reporting_currency,
    )


def consortium_failures(report: PrecheckReport | None) -> list[Verdict]:
    """Consortium rules are hard errors at submission: the proposal as a whole breaks them.

    Read from the pre-check report, which judged the consortium rules with the call's participating
    regions, rates and reporting currency (so submission evaluates every rule once, not twice).
    """
    if report is None:
        return []
    return [verdict for verdict in report.consortium if verdict.outcome is Outcome.FAIL]


def regional_warnings(report: PrecheckReport | None) -> list[str]:
    """Regional failures and checks left to officers: warnings on the receipt, the region decides."""
    if report is None:
        return []
    return [
        f"{verdict.region_code or region}: {verdict.reason}"
        for region, region_report in report.regions.items()
        for verdict in region_report.verdicts()
        if verdict.outcome is not Outcome.PASS
    ]


@dataclass(frozen=True)
class _CallRules:
    """What the rule engine needs of a call (frozen rule models; the engine never changes its inputs)."""

    consortium: ConsortiumRules
    regions: dict[str, RegionalRules]
    reporting_rates: dict[str, Decimal]
    currencies: dict[str, str]


# id(call) -> (call, its rules): built once per call configuration object, which access.call_of keeps
# while the call's stored snapshot is unchanged (the call is held here too, so its id cannot be reused).
_RULES: dict[int, tuple[CallConfiguration, _CallRules]] = {}
_RULES_MAX = 32


def _rules_of(call: CallConfiguration) -> _CallRules:
    cached = _RULES.get(id(call))
    if cached is not None and cached[0] is call:
        return cached[1]
    rules = _CallRules(
        consortium=call.consortium_rules_for_engine(),
        regions=call.regional_rules(),
        reporting_rates=call.reporting_rates(),
        currencies={region.code: region.currency for region in call.regions},
    )
    if len(_RULES) >= _RULES_MAX:
        _RULES.pop(next(iter(_RULES)))
    _RULES[id(call)] = (call, rules)
    return rules
