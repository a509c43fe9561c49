"""What the readers see: a proposal in evaluation, the funding decisions with their confirmations, the results.

Who sees what is decided in the routes; these only gather the state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.errors import NotFound
from shared.events import FundingDecided, ResultLine, StageCount, StageNumbers

from .access import call_config, call_copy, evaluation_rules, overrides_of, submitted_scores
from .domain.allocation import FundingStatus
from .domain.assessment import consensus_preview
from .domain.funding import region_part, regions_funding_partners, unconfirmed_regions
from .domain.results import ResultsInconsistentError, consolidate
from .domain.scoring import CriterionConsensus, DivergenceFlag, divergence_flags
from .domain.shortlist import ShortlistStatus
from .domain.stage_figures import StagedProposal, stage_figures
from .domain.status import EvaluationStatus, evaluation_status
from .errors import ResultsInconsistent
from .funding import latest_decisions
from .models import Assessment, AssignedPair, Consensus, DeclaredConflict, EvaluationEntry, RegionConfirmation
from .ranking import current_ranking
from .repository import (
    assessments_of,
    confirmations_of_call,
    declared_conflicts_of_proposal,
    entries_of_call,
    get_consensus,
    get_progress,
    pairs_of_proposals,
    progress_without_ranking,
    shortlist_decision,
    withdrawn_proposal_ids,
)


@dataclass(frozen=True)
class ProposalState:
    entry: EvaluationEntry
    status: EvaluationStatus
    evaluator_ids: list[str]
    assessments: list[Assessment]
    consensus: Consensus | None
    preview: dict[str, CriterionConsensus | None]  # per criterion: final, or as it would be now
    divergence: tuple[DivergenceFlag, ...]
    conflicts: list[DeclaredConflict]

    @property
    def final(self) -> bool:
        return self.consensus is not None and self.consensus.finalised_at is not None


@dataclass(frozen=True)
class Known:
    """What a use case that has just written a proposal's consensus already holds of its state, not read again:
    the call's configuration, the consensus row (as flushed) and, if it read them, the assessments and pairs."""

    config: CallConfiguration
    consensus: Consensus
    assessments: list[Assessment] | None = None
    pairs: list[AssignedPair] | None = None


async def proposal_state(session: AsyncSession, entry: EvaluationEntry, known: Known | None = None) -> ProposalState:
    if known is not None and known.pairs is not None:
        pairs = known.pairs
    else:
        pairs = await pairs_of_proposals(session, [entry.proposal_id])
    if known is not None and known.assessments is not None:
        assessments = known.assessments
    else:
        assessments = await assessments_of(session, entry.proposal_id)
    if known is not None:
        consensus: Consensus | None = known.consensus
        config: CallConfiguration | None = known.config
    else:
        consensus = await get_consensus(session, entry.proposal_id)
        call = await call_copy(session, entry.call_id)
        config = call.configuration if call is not None else None
    preview: dict[str, CriterionConsensus | None] = {}
    divergence: tuple[DivergenceFlag, ...] = ()
    if config is not None:
        rules = evaluation_rules(config, entry.stage)
        submitted = submitted_scores(assessments, rules)
        preview = consensus_preview(rules, submitted, overrides_of(consensus))
        divergence = divergence_flags(submitted, rules.divergence_flag_spread)
    final = consensus is not None and consensus.finalised_at is not None
    return ProposalState(
        entry=entry,
        status=status_of(entry, assigned=bool(pairs), final=final),
        evaluator_ids=[p.evaluator_id for p in pairs],
        assessments=assessments,
        consensus=consensus,
        preview=preview,
        divergence=divergence,
        conflicts=await declared_conflicts_of_proposal(session, entry.proposal_id),
    )


def status_of(entry: EvaluationEntry, *, assigned: bool, final: bool) -> EvaluationStatus:
    return evaluation_status(
        entry.current_eligibility, withdrawn=entry.withdrawn_at is not None, assigned=assigned, consensus_final=final
    )


@dataclass(frozen=True)
class RegionStatus:
    region_code: str
    funds_partners: bool
    confirmed: bool  # of its current part
    confirmed_at: datetime | None
    confirmed_version: int | None


@dataclass(frozen=True)
class FundingState:
    decided: FundingDecided
    regions: list[RegionStatus]
    final: bool  # every region funding partners confirmed its current part
    published_at: datetime | None


@dataclass(frozen=True)
class FundingInputs:
    """What the funding state is computed from: the latest round, the regions' confirmations, the publication."""

    decided: FundingDecided
    confirmations: dict[str, RegionConfirmation]
    published_at: datetime | None

    def key(self) -> tuple[Hashable, ...]:
        """All of it, as a key (a round never changes once written: its call, version and time name it)."""
        confirmations = tuple(
            sorted(
                (code, c.funding_version, c.confirmed_at, json.dumps(c.part)) for code, c in self.confirmations.items()
            )
        )
        decided = self.decided
        return (str(decided.call_id), decided.funding_version, decided.decided_at), confirmations, self.published_at


async def funding_inputs(session: AsyncSession, call_id: str) -> FundingInputs:
    progress = await progress_without_ranking(session, call_id)
    decided = await latest_decisions(session, progress) if progress is not None else None
    if progress is None or decided is None:
        raise NotFound(f"No funding decided for call {call_id}.")
    return FundingInputs(decided, await confirmations_of_call(session, call_id), progress.published_at)


async def funding_state(session: AsyncSession, call_id: str) -> FundingState:
    return state_of_funding(await funding_inputs(session, call_id))


def state_of_funding(inputs: FundingInputs) -> FundingState:
    decided, confirmations = inputs.decided, inputs.confirmations
    missing = unconfirmed_regions(decided, {code: c.part for code, c in confirmations.items()})
    funding = set(regions_funding_partners(decided))
    return FundingState(
        decided=decided,
        regions=[_region_status(r.region_code, funding, confirmations, decided) for r in decided.regions],
        final=not missing,
        published_at=inputs.published_at,
    )


def _region_status(
    code: str, funding: set[str], confirmations: dict[str, RegionConfirmation], decided: FundingDecided
) -> RegionStatus:
    confirmation = confirmations.get(code)
    current = confirmation is not None and confirmation.part == region_part(decided, code)
    return RegionStatus(
        region_code=code,
        funds_partners=code in funding,
        confirmed=current,
        confirmed_at=confirmation.confirmed_at if confirmation else None,
        confirmed_version=confirmation.funding_version if confirmation else None,
    )


@dataclass(frozen=True)
class ResultsState:
    config: CallConfiguration
    lines: list[ResultLine]
    funding: FundingState
    stages: StageNumbers | None = None  # two-stage calls
    reasons: dict[str, list[str]] = field(default_factory=dict)  # proposal id -> why it did not pass (the ranking's)


async def results_state(session: AsyncSession, call_id: str) -> ResultsState:
    config = await call_config(session, call_id)
    funding = await funding_state(session, call_id)
    ranking = await current_ranking(session, call_id, config)
    withdrawn = await withdrawn_proposal_ids(session, call_id)
    try:
        lines = consolidate(ranking.ranking, funding.decided, withdrawn)
    except ResultsInconsistentError as exc:
        raise ResultsInconsistent(f"Run the funding again: {exc}.") from exc
    reasons = {str(r.proposal_id): list(r.reasons) for r in ranking.ranking if r.reasons}
    if len(config.stages) < 2:
        return ResultsState(config, lines, funding, reasons=reasons)
    entries = [e for e in await entries_of_call(session, call_id) if e.withdrawn_at is None]
    pre_of = {e.proposal_id: e.pre_proposal_id for e in entries if e.pre_proposal_id}
    lines = [
        line.model_copy(update={"pre_proposal_id": uuid.UUID(pre_of[str(line.proposal_id)])})
        if str(line.proposal_id) in pre_of
        else line
        for line in lines
    ]
    stages = await _stage_numbers(session, call_id, config, entries, lines)
    return ResultsState(config, lines, funding, stages, reasons)


async def published_results(session: AsyncSession, call_id: str) -> ResultsState:
    """The results once the agency published them (public from then on); 404 before, as if there were none."""
    progress = await get_progress(session, call_id)
    if progress is None or progress.published_at is None:
        raise NotFound(f"No published results for call {call_id}.")
    return await results_state(session, call_id)


async def _stage_numbers(
    session: AsyncSession,
    call_id: str,
    config: CallConfiguration,
    entries: list[EvaluationEntry],
    lines: list[ResultLine],
) -> StageNumbers:
    participating = [region.code for region in config.regions]
    staged = [
        StagedProposal(
            e.proposal_id,
            e.stage,
            frozenset(p["region_code"] for p in e.partners if p["region_code"] in participating),
            e.pre_proposal_id,
        )
        for e in entries
    ]
    decision = await shortlist_decision(session, call_id)
    invited = (
        {line["pre_proposal_id"] for line in decision.outcomes if line["status"] == ShortlistStatus.INVITED}
        if decision is not None and decision.published_at is not None
        else set()
    )
    funded = {str(line.proposal_id) for line in lines if line.status == FundingStatus.FUNDED.value}
    total, by_region = stage_figures(staged, invited, funded, participating)
    return StageNumbers(
        total=StageCount(**asdict(total)), regions={code: StageCount(**asdict(c)) for code, c in by_region.items()}
    )
