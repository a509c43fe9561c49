"""The monitoring view of a call, for the agency or one region (pure).

Per call (or, for a region, the projects it funds): projects by status, reports by status (overdue apart),
payments held, indicator totals against their targets, time to contract, and money: committed (the grants) and
reported (the partners' statements), per currency and in the call's reporting currency. A region's money
figures are its own partners' only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .contracting import ContractStatus, ProjectStatus
from .reporting import ReportStatus

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class GrantFacts:
    proposal_id: str
    region_code: str
    currency: str
    amount: Decimal
    payment_held: bool


@dataclass(frozen=True, slots=True)
class OfferFacts:
    region_code: str
    status: str
    offered_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReportFacts:
    proposal_id: str
    status: str
    overdue: bool
    project_indicators: Mapping[str, Decimal]
    partner_indicators: Mapping[str, Mapping[str, Decimal]]
    costs: Sequence[tuple[str, str, Decimal]]  # (region, currency, amount) per partner statement


@dataclass(frozen=True, slots=True)
class IndicatorTarget:
    key: str
    name: str
    unit: str
    target_per_project: Decimal | None


def to_reporting(amount: Decimal, currency: str, reporting: str, rates: Mapping[str, Decimal]) -> Decimal:
    rate = Decimal(1) if currency == reporting else rates[currency]
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def summary(
    *,
    project_statuses: Mapping[str, str],
    grants: Sequence[GrantFacts],
    offers: Sequence[OfferFacts],
    reports: Sequence[ReportFacts],
    indicators: Sequence[IndicatorTarget],
    reporting_currency: str,
    rates: Mapping[str, Decimal],
    region: str | None,
) -> dict[str, object]:
    """The view; ``region`` None for the agency (every region), else that region's own part."""
    visible = {g.proposal_id for g in grants if region is None or g.region_code == region}
    own_grants = [g for g in grants if g.proposal_id in visible and (region is None or g.region_code == region)]
    own_reports = [r for r in reports if r.proposal_id in visible]
    statuses = Counter(status for pid, status in project_statuses.items() if pid in visible)
    report_statuses = Counter(
        "overdue" if r.overdue and r.status == ReportStatus.DUE else r.status for r in own_reports
    )
    totals: dict[str, Decimal] = {}
    for report in own_reports:
        if report.status != ReportStatus.ACCEPTED:
            continue  # figures count once a report is accepted
        for key, value in report.project_indicators.items():
            totals[key] = totals.get(key, Decimal(0)) + value
        for figures in report.partner_indicators.values():
            for key, value in figures.items():
                totals[key] = totals.get(key, Decimal(0)) + value
    started = statuses.get(ProjectStatus.STARTED, 0)
    committed = _by_currency((g.currency, g.amount) for g in own_grants)
    reported = _by_currency(
        (currency, amount)
        for r in own_reports
        if r.status != ReportStatus.DUE
        for region_code, currency, amount in r.costs
        if region is None or region_code == region
    )
    days: dict[str, list[int]] = {}
    for o in offers:
        if o.status == ContractStatus.SIGNED and o.settled_at and (region is None or o.region_code == region):
            days.setdefault(o.region_code, []).append((o.settled_at - o.offered_at).days)
    return {
        "region": region,
        "projects": dict(sorted(statuses.items())),
        "reports": dict(sorted(report_statuses.items())),
        "payments_held": sum(1 for g in own_grants if g.payment_held),
        "indicators": [
            {
                "key": i.key,
                "name": i.name,
                "unit": i.unit,
                "total": totals.get(i.key, Decimal(0)),
                "target": i.target_per_project * started if i.target_per_project is not None else None,
            }
            for i in indicators
        ],
        "committed": _money_lines(committed, reporting_currency, rates),
        "reported_costs": _money_lines(reported, reporting_currency, rates),
        "time_to_contract_days": _mean([d for values in days.values() for d in values]),
        "time_to_contract_days_by_region": {r: _mean(values) for r, values in sorted(days.items())},
        "reporting_currency": reporting_currency,
    }


def _by_currency(amounts: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for currency, amount in amounts:
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return totals


def _money_lines(
    totals: Mapping[str, Decimal], reporting: str, rates: Mapping[str, Decimal]
) -> list[dict[str, object]]:
    return [
        {"currency": c, "amount": a.quantize(CENT), "in_reporting_currency": to_reporting(a, c, reporting, rates)}
        for c, a in sorted(totals.items())
    ]


def _mean(values: Sequence[int]) -> Decimal | None:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")) if values else None
