"""The shortlist of a two-stage call as its use cases share it: the shortlist the rules give now (with what-if on
the factor and the budgets), each pre-proposal's outcome, the regions that confirm it, and the publication of the
invitations once they all have (invitations.published). The use cases are use_cases/propose_shortlist.py,
decide_shortlist.py, confirm_shortlist.py and record_fit.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.call_stages import TwoStageConfig, stage_rules
from shared.calls import CallConfiguration
from shared.errors import FieldError, ValidationFailed
from shared.events import InvitationOutcome, InvitationsPublished, PartnerSnapshot
from shared.messaging.outbox import emit
from shared.service import Runtime

from .access import call_config
from .domain.allocation import RegionBudget, ReportingCurrency
from .domain.funding import PartnerRequest, requests_by_region
from .domain.ranking import RankingStatus
from .domain.shortlist import NoGo, PreProposal, Shortlist, shortlist, with_budgets
from .domain.status import Eligibility
from .errors import OneStageCall, ShortlistFinal
from .models import EvaluationEntry, ShortlistDecision
from .ranking import live_ranking
from .repository import entries_of_call, fit_of_call


@dataclass(frozen=True)
class WhatIf:
    """What the agency may change: the factor, per-region factors and budgets (None / absent: the call's)."""

    factor: Decimal | None = None
    region_factors: Mapping[str, Decimal] = field(default_factory=dict)
    budgets: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ShortlistView:
    shortlist: Shortlist
    acronyms: dict[str, str]
    ineligible: list[tuple[str, list[str]]]  # (pre-proposal id, reasons)
    pending: list[str]  # eligible pre-proposals without a final stage-1 score, or awaiting eligibility
    parameters: dict[str, Any]


def two_stage(config: CallConfiguration) -> TwoStageConfig:
    rules = stage_rules(config)
    if rules is None:
        raise OneStageCall("This is a one-stage call: it has no shortlist.")
    return rules


def refuse_once_published(decision: ShortlistDecision | None) -> None:
    if decision is not None and decision.published_at is not None:
        raise ShortlistFinal("The invitations are published: the shortlist is final.")


async def current_shortlist(session: AsyncSession, call_id: str, what_if: WhatIf) -> ShortlistView:
    """The shortlist the rules give now (changes nothing)."""
    config = await call_config(session, call_id)
    rules = two_stage(config)
    factor = what_if.factor if what_if.factor is not None else rules.shortlist.oversubscription_factor
    region_factors = {**rules.shortlist.region_factors, **what_if.region_factors}
    budgets = [RegionBudget(r.code, r.currency, r.budget) for r in config.regions]
    try:
        budgets = list(with_budgets(budgets, what_if.budgets))
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors=[FieldError("budgets", str(exc))]) from None
    unknown = sorted(set(region_factors) - {b.region for b in budgets})
    if unknown:
        raise ValidationFailed("Unknown regions", errors=[FieldError("region_factors", f"not regions: {unknown}")])
    entries = {e.proposal_id: e for e in await entries_of_call(session, call_id) if e.stage == 1}
    ranked, ineligible, pending = await _stage_one_order(session, call_id, config, rules, entries)
    currencies = {r.code: r.currency for r in config.regions}
    pre_proposals = [
        PreProposal(pid, requests_by_region(_requests(entries[pid]), currencies, _excluded(entries[pid])), below)
        for pid, below in ranked
    ]
    vetoes = [
        NoGo(fit.proposal_id, fit.region_code, fit.reason)
        for fit in await fit_of_call(session, call_id)
        if not fit.go and fit.proposal_id in {p.proposal_id for p in pre_proposals}
    ]
    present = {(p.proposal_id, r) for p in pre_proposals for r in p.requested}
    vetoes = [v for v in vetoes if (v.proposal_id, v.region) in present]
    reporting = ReportingCurrency(config.funding.reporting_currency, config.funding.reporting_rates)
    result = shortlist(pre_proposals, budgets, factor, reporting, factor_overrides=region_factors, no_gos=vetoes)
    parameters = {
        "factor": str(factor),
        "region_factors": {code: str(value) for code, value in sorted(region_factors.items())},
        "budgets": {b.region: str(b.budget) for b in budgets},
    }
    acronyms = {pid: entry.acronym or "" for pid, entry in entries.items()}
    return ShortlistView(result, acronyms, ineligible, pending, parameters)


async def _stage_one_order(
    session: AsyncSession,
    call_id: str,
    config: CallConfiguration,
    rules: TwoStageConfig,
    entries: Mapping[str, EvaluationEntry],
) -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, list[str]]], list[str]]:
    """The walk order (id, threshold reasons), the ineligible ones with reasons, and those not ready. With a
    panel: the stage-1 ranking (passed by rank, then the others with their reasons). Without: every eligible
    pre-proposal, earliest final submission first."""
    ineligible = [
        (pid, list(e.eligibility_reasons))
        for pid, e in sorted(entries.items())
        if e.withdrawn_at is None and e.current_eligibility == Eligibility.NOT_ELIGIBLE
    ]
    if rules.evaluation.panel is None:
        eligible = [
            e for e in entries.values() if e.withdrawn_at is None and e.current_eligibility == Eligibility.ELIGIBLE
        ]
        eligible.sort(key=lambda e: (e.submitted_at, e.proposal_id))
        pending = sorted(
            p for p, e in entries.items() if e.withdrawn_at is None and e.current_eligibility == Eligibility.PENDING
        )
        return [(e.proposal_id, ()) for e in eligible], ineligible, pending
    ranking = await live_ranking(session, call_id, config, stage=1)
    order = [
        (str(line.proposal_id), tuple(line.reasons) if line.status == RankingStatus.NOT_PASSED.value else ())
        for line in ranking.ranking
        if line.status != RankingStatus.INELIGIBLE.value
    ]
    return order, ineligible, [*ranking.pending_consensus, *ranking.awaiting_eligibility]


def _requests(entry: EvaluationEntry) -> list[PartnerRequest]:
    partners = [PartnerSnapshot.model_validate(p) for p in entry.partners]
    return [
        PartnerRequest(p.partner_id, p.region_code, p.requested_funding.amount, p.requested_funding.currency)
        for p in partners
    ]


def _excluded(entry: EvaluationEntry) -> set[str]:
    return {*entry.dropped_partners, *entry.ineligible_partners}


def outcomes(view: ShortlistView, entries: Mapping[str, EvaluationEntry]) -> list[InvitationOutcome]:
    """Every pre-proposal's outcome, in rank order, then the ineligible ones."""
    lines = [
        InvitationOutcome(
            pre_proposal_id=uuid.UUID(entry.proposal_id),
            applicant_id=entries[entry.proposal_id].applicant_id or "",
            acronym=view.acronyms.get(entry.proposal_id, ""),
            status=entry.status.value,
            reasons=list(entry.reasons),
        )
        for entry in view.shortlist.entries
    ]
    lines += [
        InvitationOutcome(
            pre_proposal_id=uuid.UUID(pid),
            applicant_id=entries[pid].applicant_id or "",
            acronym=view.acronyms.get(pid, ""),
            status=RankingStatus.INELIGIBLE,
            reasons=reasons or ["not eligible at stage 1"],
        )
        for pid, reasons in view.ineligible
    ]
    return lines


def confirming_regions(view: ShortlistView) -> list[str]:
    """The regions that confirm the shortlist: those asked for money by an invited pre-proposal."""
    return sorted({region for entry in view.shortlist.invited for region in entry.requested})


async def publish_when_confirmed(
    session: AsyncSession, runtime: Runtime, call_id: str, decision: ShortlistDecision
) -> None:
    if any(confirmed is None for confirmed in decision.confirmations.values()):
        return
    config = await call_config(session, call_id)
    full = config.stages[1]
    now = runtime.clock.now()
    decision.published_at = now
    published = InvitationsPublished(
        call_id=uuid.UUID(call_id),
        published_at=now,
        stage_two_opens=full.opens,
        stage_two_deadline=full.deadline,
        outcomes=[InvitationOutcome.model_validate(line) for line in decision.outcomes],
    )
    await emit(session, runtime.tables, published, source=runtime.name, subject=call_id, clock=runtime.clock)


def region_line(report: Any) -> dict[str, Any]:
    return {
        "region_code": report.region,
        "currency": report.currency,
        "budget": str(report.budget),
        "factor": str(report.factor),
        "cap": str(report.cap),
        "requested": str(report.requested),
        "factor_reached": str(report.factor_reached) if report.factor_reached is not None else None,
        "invited_proposals": report.invited_proposals,
        "cap_reached_proposals": report.cap_reached_proposals,
    }
