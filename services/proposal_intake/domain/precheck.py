"""The live pre-check: the call's consortium rules and every region's own rules for its own
partners, through the shared rule engine, so it can never disagree with the official check."""

from __future__ import annotations

from shared.calls import CallConfiguration
from shared.proposals import ProposalDraft
from shared.rules.consortium import evaluate_consortium
from shared.rules.model import Outcome, Verdict
from shared.rules.precheck import PrecheckReport, precheck


def precheck_draft(draft: ProposalDraft, call: CallConfiguration) -> PrecheckReport | None:
    """None while the draft lacks what every rule needs (TRL, duration)."""
    facts = draft.facts(_currencies(call))
    if facts is None:
        return None
    return precheck(
        call.consortium_rules_for_engine(),
        call.regional_rules(),
        call.reporting_rates(),
        facts,
        reporting_currency=call.funding.reporting_currency,
    )


def consortium_failures(draft: ProposalDraft, call: CallConfiguration) -> list[Verdict]:
    """Consortium rules are hard errors at submission: the proposal as a whole breaks them."""
    facts = draft.facts(_currencies(call))
    if facts is None:
        return []
    verdicts = evaluate_consortium(
        call.consortium_rules_for_engine(),
        facts,
        _currencies(call),
        call.reporting_rates(),
        reporting_currency=call.funding.reporting_currency,
    )
    return [verdict for verdict in verdicts if verdict.outcome is Outcome.FAIL]


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


def _currencies(call: CallConfiguration) -> dict[str, str]:
    return {region.code: region.currency for region in call.regions}
