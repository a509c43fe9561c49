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

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.events import RankedProposal, ReasonDetail

from .access import evaluation_rules
from .domain.assessment import canonical, score_text
from .domain.ranking import IneligibleProposal, RankingEntry, ScoredProposal, rank_proposals
from .domain.status import Eligibility
from .models import Consensus
from .repository import consensus_of_call, entries_of_call, get_progress, withdrawn_proposal_ids


@dataclass(frozen=True)
class RankingView:
    ranking: list[RankedProposal]
    pending_consensus: list[str] = field(default_factory=list)  # eligible, consensus not final yet
    awaiting_eligibility: list[str] = field(default_factory=list)
    completed_at: datetime | None = None


async def current_ranking(session: AsyncSession, call_id: str, config: CallConfiguration) -> RankingView:
    """The ranking that funding follows: in a two-stage call, of the full proposals (stage 2) only."""
    progress = await get_progress(session, call_id)
    if progress is not None and progress.ranking is not None:
        withdrawn = {uuid.UUID(pid) for pid in await withdrawn_proposal_ids(session, call_id)}
        fixed = [RankedProposal.model_validate(line) for line in progress.ranking]
        return RankingView([r for r in fixed if r.proposal_id not in withdrawn], completed_at=progress.completed_at)
    return await live_ranking(session, call_id, config, len(config.stages))


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
