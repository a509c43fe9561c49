"""Funding decisions: the virtual common pot walked over the fixed ranking (``domain.allocation``).

Each region pays its own funded partners from its own budget (``domain.funding.requests_by_region``). Every walk
is stored as a new version and announced (funding.decided): the agency's run, a region's decline (the declined
proposal is skipped and the walk redone, so its money goes to the proposals below), or a withdrawal after the
decisions. A simulation walks the same way with budgets topped up, and stores nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.calls import CallConfiguration
from shared.events import FundingDecided
from shared.messaging.outbox import emit
from shared.service import Runtime

from .access import call_copy
from .caches import ROUNDS, PreviewKey
from .domain.allocation import (
    Decline,
    FundingRequest,
    FundingStatus,
    RegionBudget,
    ReportingCurrency,
    allocate,
    with_top_ups,
)
from .domain.funding import FundingTrigger, PartnerRequest, RankedRequest, funding_decided, requests_by_region
from .errors import EvaluationNotComplete, FundingNotComputable, ResultsFinal
from .models import CallProgress, FundingRound, audit_log, call_audited
from .repository import (
    declines_of_call,
    entries_revision,
    funding_rows_of_call,
    get_progress,
    get_round,
    progress_for_update,
    round_decided_at,
)


async def decide(
    session: AsyncSession,
    runtime: Runtime,
    config: CallConfiguration,
    progress: CallProgress,
    *,
    trigger: FundingTrigger,
    actor: str,
    reason: str | None = None,
) -> FundingDecided:
    """Walk again, store the walk as the next version and announce it."""
    now = runtime.clock.now()
    version = progress.funding_version + 1
    ranking = progress.ranking or []
    decided = await walk(session, config, progress.call_id, ranking, version=version, trigger=trigger, decided_at=now)
    previous = await latest_decisions(session, progress)
    progress.funding_version, progress.updated_at = decided.funding_version, now
    session.add(
        FundingRound(
            call_id=progress.call_id,
            version=decided.funding_version,
            trigger=trigger,
            decided_by=actor,
            decided_at=now,
            payload=decided.model_dump(mode="json"),
        )
    )
    await session.flush()
    # The next read of the funding (the selection meeting's page, right after) finds it parsed, once committed.
    ROUNDS.keep_on_commit(session, (progress.call_id, decided.funding_version, now), decided)
    await emit(session, runtime.tables, decided, source=runtime.name, subject=progress.call_id, clock=runtime.clock)
    await AuditTrail(session, audit_log, runtime.clock, actor).record(
        f"funding.decided.{trigger}",
        call_audited(progress.call_id),
        before=_statuses(previous),
        after=_statuses(decided),
        reason=reason,
    )
    return decided


async def walk(
    session: AsyncSession,
    config: CallConfiguration,
    call_id: str,
    ranking: list[dict[str, Any]],
    *,
    version: int,
    trigger: FundingTrigger,
    decided_at: datetime,
    top_ups: Mapping[str, Decimal] | None = None,
    amounts_around_the_line_only: bool = False,
) -> FundingDecided:
    """The allocation over the fixed ranking (its stored lines), the current budgets (plus any top-ups) and the
    declines so far."""
    ranked = await _ranked_requests(session, call_id, ranking)
    currencies = {region.code: region.currency for region in config.regions}
    try:
        requests = [
            FundingRequest(r.proposal_id, requests_by_region(asks, currencies, out)) for r, (asks, out) in ranked
        ]
        budgets = with_top_ups([RegionBudget(r.code, r.currency, r.budget) for r in config.regions], top_ups or {})
        reporting = ReportingCurrency(config.funding.reporting_currency, config.funding.reporting_rates)
        declines = await _declines(session, call_id, requests)
        result = allocate(requests, budgets, reporting, declines)
    except ValueError as exc:  # data the walk cannot use: a currency without a rate, a request in another currency
        raise FundingNotComputable(f"The funding cannot be decided: {exc}.") from exc
    return funding_decided(
        result,
        [r for r, _ in ranked],
        currencies,
        call_id=uuid.UUID(call_id),
        version=version,
        decided_at=decided_at,
        trigger=trigger,
        amounts_around_the_line_only=amounts_around_the_line_only,
    )


async def preview_key(
    session: AsyncSession,
    config: CallConfiguration,
    call_id: str,
    completed_at: datetime,
    top_ups: Mapping[str, Decimal],
    *,
    amounts_around_the_line_only: bool,
) -> PreviewKey:
    """Everything a simulation's walk reads, as the key of its answer (caches.PREVIEWS): the fixed ranking (by
    when it was fixed: it never changes), the call's entries (their partners, exclusions and withdrawals: by their
    count and revisions), the declines, the regions' currencies and budgets and the reporting rates, the top-ups.
    Read before the walk, so a walk kept by it read what the key says or newer, never older."""
    entries = await entries_revision(session, call_id)
    declines = tuple(sorted((d.proposal_id, d.region_code) for d in await declines_of_call(session, call_id)))
    money = json.dumps(
        [
            [[r.code, r.currency, str(r.budget)] for r in config.regions],
            config.funding.reporting_currency,
            sorted((code, str(rate)) for code, rate in config.funding.reporting_rates.items()),
        ]
    )
    tops = tuple(sorted((code, str(amount)) for code, amount in top_ups.items()))
    return call_id, completed_at, entries, declines, money, tops, amounts_around_the_line_only


async def latest_decisions(session: AsyncSession, progress: CallProgress) -> FundingDecided | None:
    """The latest stored round, parsed; kept so by the runtime (caches.ROUNDS): validating the stored walk of 5,000
    proposals again took most of a GET funding. Callers read what they get; they never change it."""
    if progress.funding_version == 0:
        return None
    decided_at = await round_decided_at(session, progress.call_id, progress.funding_version)
    assert decided_at is not None

    async def parsed() -> FundingDecided:
        stored = await get_round(session, progress.call_id, progress.funding_version)
        assert stored is not None
        return FundingDecided.model_validate(stored.payload)

    return await ROUNDS.kept(session, (progress.call_id, progress.funding_version, decided_at), parsed)


async def redo_after_withdrawal(
    session: AsyncSession, runtime: Runtime, call_id: str, proposal_id: str, *, actor: str, reason: str
) -> None:
    """A proposal withdrawn after the decisions (before publication) is walked out of them."""
    if (known := await get_progress(session, call_id)) is None or known.funding_version == 0:
        return
    call = await call_copy(session, call_id)
    progress = await progress_for_update(session, call_id, runtime.clock.now())
    decided = await latest_decisions(session, progress)
    if call is None or call.configuration is None or progress.published_at is not None or decided is None:
        return
    if any(str(d.proposal_id) == proposal_id and d.status != FundingStatus.DECLINED.value for d in decided.proposals):
        why = f"proposal {proposal_id} withdrawn: {reason}"
        await decide(
            session, runtime, call.configuration, progress, trigger=FundingTrigger.WITHDRAWAL, actor=actor, reason=why
        )


def refuse_unless_open_for_funding(progress: CallProgress) -> None:
    if progress.ranking is None:
        raise EvaluationNotComplete("The evaluation is not complete: complete the ranking first.")
    if progress.published_at is not None:
        raise ResultsFinal("The results are published: the funding decisions are final.")


_Requests = tuple[list[PartnerRequest], set[str]]


async def _ranked_requests(
    session: AsyncSession, call_id: str, ranking: list[dict[str, Any]]
) -> list[tuple[RankedRequest, _Requests]]:
    """The passing proposals in rank order (withdrawn ones left out), each with its partners' requests. The fixed
    ranking and the partners are read as stored (written from validated models), not validated again: the walk
    reads every line of the call, and for 5,000 proposals validating them again took most of its time."""
    rows = {row.proposal_id: row for row in await funding_rows_of_call(session, call_id)}
    ranked = []
    for line in ranking:
        row = rows[str(line["proposal_id"])]
        if line.get("rank") is None or row.withdrawn_at is not None:
            continue
        ranked.append((RankedRequest(row.proposal_id, line["acronym"], line["rank"]), _partner_requests(row)))
    return ranked


def _partner_requests(row: Row[tuple[Any, ...]]) -> _Requests:
    """A proposal's partners' requests, from its stored PartnerSnapshot JSON."""
    requests = [
        PartnerRequest(
            p["partner_id"],
            p["region_code"],
            Decimal(str(p["requested_funding"]["amount"])),
            p["requested_funding"]["currency"],
        )
        for p in row.partners
    ]
    return requests, {*row.dropped_partners, *row.ineligible_partners}


async def _declines(session: AsyncSession, call_id: str, requests: list[FundingRequest]) -> list[Decline]:
    """The declines of proposals still on the list (a withdrawn proposal takes its declines with it)."""
    asks = {request.proposal_id: request.requested for request in requests}
    return [
        Decline(d.proposal_id, d.region_code)
        for d in await declines_of_call(session, call_id)
        if d.region_code in asks.get(d.proposal_id, {})
    ]


def _statuses(decided: FundingDecided | None) -> dict[str, str] | None:
    if decided is None:
        return None
    return {str(d.proposal_id): d.status for d in decided.proposals}
