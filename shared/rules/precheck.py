"""The pre-check: every consortium and regional rule on one proposal, grouped the way people read them.

The same function serves the applicant's live pre-check while drafting and the regional back offices'
official check after the deadline, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, computed_field

from shared.rules.consortium import evaluate_consortium
from shared.rules.model import (
    ConsortiumRules,
    Outcome,
    PartnerFacts,
    ProposalFacts,
    RegionalRules,
    Verdict,
    outcome_of,
)
from shared.rules.regional import evaluate_partner, evaluate_region

__all__ = ["PrecheckReport", "RegionReport", "outcome_of", "precheck"]


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegionReport(_Report):
    """One region's view: its region-level verdicts and the verdicts on each of its partners."""

    region_code: str
    region: list[Verdict]
    partners: dict[str, list[Verdict]]  # partner id -> verdicts

    def verdicts(self) -> list[Verdict]:
        return [*self.region, *(v for verdicts in self.partners.values() for v in verdicts)]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.verdicts())


class PrecheckReport(_Report):
    """All verdicts on one proposal; regions appear only when the proposal has partners from them."""

    consortium: list[Verdict]
    regions: dict[str, RegionReport]

    def verdicts(self) -> list[Verdict]:
        return [*self.consortium, *(v for region in self.regions.values() for v in region.verdicts())]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome(self) -> Outcome:
        return outcome_of(self.verdicts())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_failures(self) -> bool:
        return any(v.outcome is Outcome.FAIL for v in self.verdicts())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_human(self) -> bool:
        return any(v.outcome is Outcome.NEEDS_HUMAN for v in self.verdicts())


def precheck(
    consortium_rules: ConsortiumRules,
    regions: Mapping[str, RegionalRules],
    reporting_rates: Mapping[str, Decimal],
    proposal: ProposalFacts,
    *,
    reporting_currency: str | None = None,
) -> PrecheckReport:
    """Judge `proposal` against the call: `regions` holds the annex of every participating region by code.

    Partners from regions missing from `regions` are self-funded: only the consortium rules apply to them.
    `reporting_currency` is needed only when several currencies have rate 1 (see `evaluate_consortium`).
    """
    mismatched = sorted(code for code, rules in regions.items() if rules.code != code)
    if mismatched:
        raise ValueError(f"regions filed under another code: {', '.join(mismatched)}")
    participating = {code: rules.currency for code, rules in regions.items()}
    consortium = evaluate_consortium(
        consortium_rules, proposal, participating, reporting_rates, reporting_currency=reporting_currency
    )
    by_region = _partners_by_region(p for p in proposal.partners if p.region_code in regions)
    return PrecheckReport(
        consortium=consortium,
        regions={code: _region_report(regions[code], partners, proposal) for code, partners in by_region.items()},
    )


def _partners_by_region(partners: Iterable[PartnerFacts]) -> dict[str, list[PartnerFacts]]:
    grouped: dict[str, list[PartnerFacts]] = {}
    for partner in partners:
        grouped.setdefault(partner.region_code, []).append(partner)
    return dict(sorted(grouped.items()))


def _region_report(rules: RegionalRules, partners: list[PartnerFacts], proposal: ProposalFacts) -> RegionReport:
    return RegionReport(
        region_code=rules.code,
        region=evaluate_region(rules, partners, proposal),
        partners={p.partner_id: evaluate_partner(rules, p, proposal) for p in partners},
    )
