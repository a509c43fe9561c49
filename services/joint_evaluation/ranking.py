"""The call's ranking list (``domain.ranking``) over the finalised consensus scores.

Until the evaluation is complete it is computed afresh, with the proposals still waiting for their consensus or
for their eligibility listed apart; at completion it is fixed and stored as evaluation.completed announced it.
Withdrawn proposals drop out; the ranks of the others stay as they were fixed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.events import RankedProposal, ReasonDetail

from .access import evaluation_rules
from .caches import FIXED_RANKINGS
from .domain.assessment import canonical, score_text
from .domain.ranking import IneligibleProposal, RankingEntry, ScoredProposal, rank_proposals
from .domain.status import Eligibility
from .models import Consensus
from .repository import (
    completion_of,
    consensus_of_call,
    entries_of_call,
    stored_ranking,
    withdrawn_proposal_ids,
)


@dataclass(frozen=True)
class RankingView:
    ranking: list[RankedProposal]
    pending_consensus: list[str] = field(default_factory=list)  # eligible, consensus not final yet
    awaiting_eligibility: list[str] = field(default_factory=list)
    completed_at: datetime | None = None


async def current_ranking(session: AsyncSession, call_id: str, config: CallConfiguration) -> RankingView:
    """The ranking that funding follows: in a two-stage call, of the full proposals (stage 2) only."""
    fixed = await fixed_ranking(session, call_id)
    if fixed is not None:
        withdrawn = await withdrawn_proposal_ids(session, call_id)
        lines = [RankedProposal.model_validate(line) for line in fixed[0] if str(line["proposal_id"]) not in withdrawn]
        return RankingView(lines, completed_at=fixed[1])
    return await live_ranking(session, call_id, config, len(config.stages))


async def fixed_ranking(session: AsyncSession, call_id: str) -> tuple[list[dict[str, Any]], datetime] | None:
    """The call's fixed ranking lines as stored (RankedProposal JSON, withdrawn ones included) and when it was
    fixed; None before completion. Kept parsed by the runtime (caches.FIXED_RANKINGS): a fixed ranking never
    changes, and it is read on every page of it and every walk of the pot (1.5 MB of JSON for 5,000 proposals).
    Callers read the lines they get; they never change them."""
    completed_at = await completion_of(session, call_id)
    if completed_at is None:
        return None
    lines = await FIXED_RANKINGS.kept(session, (call_id, completed_at), lambda: stored_ranking(session, call_id))
    return lines, completed_at


async def live_ranking(session: AsyncSession, call_id: str, config: CallConfiguration, stage: int) -> RankingView:
    """The ranking of the proposals of one stage, computed afresh from the finalised consensus scores."""
    entries = [e for e in await entries_of_call(session, call_id) if e.withdrawn_at is None and e.stage == stage]
    consensus = await consensus_of_call(session, call_id)
    scored: list[ScoredProposal] = []
    ineligible: list[IneligibleProposal] = []
    pending: list[str] = []
    awaiting: list[str] = []
    for entry in entries:
        eligibility = entry.current_eligibility
        if eligibility == Eligibility.NOT_ELIGIBLE:
            details = tuple(entry.eligibility_reason_details or ())
            ineligible.append(IneligibleProposal(entry.proposal_id, tuple(entry.eligibility_reasons), details))
        elif eligibility != Eligibility.ELIGIBLE:
            awaiting.append(entry.proposal_id)
        elif (final := _final_scores(consensus.get(entry.proposal_id))) is not None:
            assert entry.submitted_at is not None  # eligible means its submission was seen
            scored.append(ScoredProposal(entry.proposal_id, final, entry.submitted_at))
        else:
            pending.append(entry.proposal_id)
    ranked = rank_proposals(scored, evaluation_rules(config, stage), ineligible)
    acronyms = {e.proposal_id: e.acronym or "" for e in entries}
    return RankingView([_ranked(e, acronyms[e.proposal_id]) for e in ranked.entries], pending, awaiting)


def _final_scores(consensus: Consensus | None) -> dict[str, Decimal] | None:
    if consensus is None or consensus.scores is None:
        return None
    return {key: Decimal(value) for key, value in consensus.scores.items()}


def _ranked(entry: RankingEntry, acronym: str) -> RankedProposal:
    return RankedProposal(
        proposal_id=uuid.UUID(entry.proposal_id),
        acronym=acronym,
        status=entry.status.value,
        rank=entry.rank,
        scores={key: Decimal(score_text(value)) for key, value in entry.scores.items()},
        unweighted_total=canonical(entry.unweighted_total),
        weighted_total=canonical(entry.weighted_total),
        reasons=list(entry.reasons),
        reason_details=[ReasonDetail.model_validate(detail) for detail in entry.details],
    )
