"""The live pre-check: the call's consortium rules and every region's own rules for its own
partners, through the shared rule engine, so it can never disagree with the official check."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import shared.calls
import shared.proposals
import shared.rules
from shared.calls import CallConfiguration
from shared.proposals import ProposalDraft
from shared.rules.model import ConsortiumRules, Outcome, RegionalRules, Verdict
from shared.rules.precheck import PrecheckReport, precheck


def precheck_draft(
    draft: ProposalDraft, call: CallConfiguration, rules: CallRules | None = None
) -> PrecheckReport | None:
    """None while the draft lacks what every rule needs (TRL, duration). `rules`: call_rules(call), which a
    caller may keep between drafts of the same call (the app's CallCache does)."""
    rules = rules or call_rules(call)
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
class SubmissionVerdicts:
    """What a submission needs of the rules: the consortium rules it breaks (hard errors, as field and
    message) and the regional warnings for its receipt."""

    failures: list[tuple[str, str]]
    warnings: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"failures": [list(failure) for failure in self.failures], "warnings": self.warnings}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionVerdicts:
        return cls(failures=[(field, message) for field, message in data["failures"]], warnings=data["warnings"])


def submission_verdicts(report: PrecheckReport | None) -> SubmissionVerdicts:
    return SubmissionVerdicts(
        failures=[
            ("partners" if v.partner_id else "consortium", f"{v.rule}: {v.reason}") for v in consortium_failures(report)
        ],
        warnings=regional_warnings(report),
    )


def engine_digest() -> str:
    """A digest of the code that decides the verdicts (the rule engine, the draft and call models, this
    module): a memo of verdicts made by other code is never reused, whatever was deployed in between.

    It reads those source files: the app's CallCache computes it once, when it is first needed (never at import).
    """
    sources = [*sorted(Path(shared.rules.__file__).parent.glob("*.py")), Path(shared.proposals.__file__)]
    sources += [Path(shared.calls.__file__), Path(__file__)]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def verdicts_key(draft_revision: int, call_revision: int | None, code_digest: str) -> str:
    """What the verdicts of a draft depend on: the draft (its revision: +1 on every change), the call's rules
    (the local copy's revision: +1 on every change of the call) and the code that judges them (engine_digest)."""
    return f"{draft_revision}:{call_revision}:{code_digest}"


@dataclass(frozen=True)
class CallRules:
    """What the rule engine needs of a call (frozen rule models; the engine never changes its inputs)."""

    consortium: ConsortiumRules
    regions: dict[str, RegionalRules]
    reporting_rates: dict[str, Decimal]
    currencies: dict[str, str]


def call_rules(call: CallConfiguration) -> CallRules:
    return CallRules(
        consortium=call.consortium_rules_for_engine(),
        regions=call.regional_rules(),
        reporting_rates=call.reporting_rates(),
        currencies={region.code: region.currency for region in call.regions},
    )
