"""Who may see which proposal, and the call's rules as the domain wants them.

An evaluator sees only proposals assigned to it, still in evaluation and without a conflict of interest; any
other proposal is 404 for it, as if it did not exist.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.call_backfill import CallFetcher, backfill_in
from shared.call_stages import stage_rules
from shared.calls import CallConfiguration
from shared.clock import Clock
from shared.errors import NotFound
from shared.events import CallSnapshot, PartnerSnapshot
from shared.http.principal import Principal

from .caches import CALL_COPIES
from .domain.assessment import AssessmentStatus
from .domain.conflicts import ConflictPolicy, ExpertFacts, PartnerFacts, conflict_reasons
from .domain.scoring import EvaluationRules, EvaluatorScores, RapporteurOverride
from .domain.status import Eligibility
from .errors import EvaluationComplete, ProposalNotInEvaluation
from .models import Assessment, CallProgress, Consensus, EvaluationEntry, Evaluator, call_copies
from .repository import (
    CallCopyKey,
    call_copy_key,
    call_copy_row,
    entry_with_call_key,
    evaluator_with_assigned,
    get_entry,
    get_evaluator,
)


async def call_config(
    session: AsyncSession,
    call_id: str,
    *,
    backfill: tuple[CallFetcher, Clock] | None = None,
    key: CallCopyKey | None = None,
) -> CallConfiguration:
    """The call's local copy; with `backfill`, a call not known here yet is read from call_definition and
    stored in this session's transaction (read-your-writes right after `publish`, see shared.call_backfill).
    `key`: see `call_copy`."""
    call = await call_copy(session, call_id, key)
    if call is None and backfill is not None:
        fetch, clock = backfill
        call = await backfill_in(session, call_copies, fetch, call_id, clock)
    if call is None or call.configuration is None:
        raise NotFound(f"No published call {call_id}.")
    return call.configuration


async def call_copy(session: AsyncSession, call_id: str, key: CallCopyKey | None = None) -> CallSnapshot | None:
    """The call's local copy, parsed once per stored version (caches.CALL_COPIES): a request reads only the
    version's key (`key`, if the caller read it with its own query); the snapshot is read and validated only
    when this runtime has not kept that version yet."""
    if key is None and (key := await call_copy_key(session, call_id)) is None:
        return None
    cache = CALL_COPIES.of(session)
    if cache is not None and (kept := cache.get(key)) is not None:
        return kept
    stored = await call_copy_row(session, call_id)  # read again with it: a newer version may have come meanwhile
    if stored is None:
        return None
    key, snapshot = stored
    call = CallSnapshot.model_validate(snapshot)
    if cache is not None:
        cache.put(key, call)
    return call


def evaluation_rules(config: CallConfiguration, stage: int | None = None) -> EvaluationRules:
    """The rules proposals of `stage` are scored and ranked by: in a two-stage call, stage 1 by its panel's
    (the call's scale, the stage-1 criteria and thresholds); otherwise the call's own."""
    evaluation = config.evaluation
    rules = stage_rules(config)
    if stage == 1 and rules is not None and rules.evaluation.panel is not None:
        evaluation = rules.evaluation.panel.evaluation(config.evaluation)
    return EvaluationRules.model_validate(evaluation.model_dump())


def conflict_policy(config: CallConfiguration) -> ConflictPolicy:
    policy = config.evaluation.conflict_of_interest
    return ConflictPolicy(same_region=policy.same_region, same_country=policy.same_country)


def partners_of(entry: EvaluationEntry) -> list[PartnerSnapshot]:
    return [PartnerSnapshot.model_validate(partner) for partner in entry.partners]


def partner_facts(entry: EvaluationEntry) -> list[PartnerFacts]:
    return [
        PartnerFacts(p.organisation_name, p.region_code, legal_id=p.legal_id, country=p.country)
        for p in partners_of(entry)
    ]


def expert_facts(evaluator: Evaluator) -> ExpertFacts:
    return ExpertFacts(
        evaluator_id=evaluator.id,
        organisation=evaluator.organisation,
        country=evaluator.country,
        legal_id=evaluator.organisation_legal_id,
        region_code=evaluator.region_code,
    )


def submitted_scores(assessments: list[Assessment], rules: EvaluationRules) -> list[EvaluatorScores]:
    """The submitted individual scores, on the call's current criteria."""
    keys = {criterion.key for criterion in rules.criteria}
    return [
        EvaluatorScores(a.evaluator_id, {k: Decimal(v) for k, v in a.scores.items() if k in keys})
        for a in assessments
        if a.status == AssessmentStatus.SUBMITTED
    ]


def overrides_of(consensus: Consensus | None) -> list[RapporteurOverride]:
    if consensus is None:
        return []
    return [
        RapporteurOverride(key, Decimal(value["score"]), value["justification"])
        for key, value in consensus.overrides.items()
    ]


def applicant_of(consortium: Principal) -> str:
    """The applicant a consortium token speaks for: its scope, else its subject (as proposal_intake decides)."""
    return consortium.scope or consortium.subject


def own_entry(entry: EvaluationEntry | None, consortium: Principal, proposal_id: str) -> EvaluationEntry:
    """The proposal if the consortium submitted it (the applicant on its proposal.submitted); 404 otherwise."""
    if entry is None or entry.applicant_id is None or entry.applicant_id != applicant_of(consortium):
        raise NotFound(f"No proposal {proposal_id} for {consortium.label}.")
    return entry


async def evaluator_of(session: AsyncSession, principal: Principal) -> Evaluator:
    """The evaluator the principal's token speaks for (role ``evaluator:<id>``); 404 if it is not registered."""
    return await evaluator_by_id(session, principal.scope or "")


async def evaluator_by_id(session: AsyncSession, evaluator_id: str) -> Evaluator:
    evaluator = await get_evaluator(session, evaluator_id)
    if evaluator is None:
        raise NotFound(f"No evaluator {evaluator_id}.")
    return evaluator


async def entry_of(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> EvaluationEntry:
    entry = await get_entry(session, proposal_id, for_update=for_update)
    if entry is None:
        raise NotFound(f"No proposal {proposal_id} in evaluation.")
    return entry


async def entry_and_call_key(session: AsyncSession, proposal_id: str) -> tuple[EvaluationEntry, CallCopyKey | None]:
    """`entry_of` with the key of its call's copy read in the same query, for `call_config(key=...)`."""
    found = await entry_with_call_key(session, proposal_id)
    if found is None:
        raise NotFound(f"No proposal {proposal_id} in evaluation.")
    return found


async def proposal_for_evaluator(
    session: AsyncSession, principal: Principal, proposal_id: str
) -> tuple[EvaluationEntry, Evaluator, CallConfiguration]:
    """The proposal, if assigned to this evaluator, in evaluation and free of conflicts; 404 otherwise. The
    evaluator, its assignment, its declared conflicts and the call copy's key are read in one query (every
    scoring request asks)."""
    evaluator_id = principal.scope or ""
    found = await evaluator_with_assigned(session, evaluator_id, proposal_id)
    if found is None:
        raise NotFound(f"No evaluator {evaluator_id}.")
    evaluator, entry, declared, key = found
    hidden = NotFound(f"No proposal {proposal_id} for {principal.label}.")
    if entry is None or not entry.evaluable:
        raise hidden
    config = await call_config(session, entry.call_id, key=key)
    if declared or in_conflict(evaluator, entry, config):
        raise hidden
    return entry, evaluator, config


def in_conflict(evaluator: Evaluator, entry: EvaluationEntry, config: CallConfiguration) -> bool:
    """By the call's rules, on the proposal's current partners (declared conflicts are looked up apart)."""
    return bool(conflict_reasons(expert_facts(evaluator), partner_facts(entry), conflict_policy(config)))


def refuse_once_completed(progress: CallProgress) -> None:
    if progress.completed_at is not None:
        raise EvaluationComplete("The evaluation of this call is complete: its ranking is fixed.")


def refuse_unless_evaluable(entry: EvaluationEntry) -> None:
    if not entry.evaluable:
        reason = _why_not(entry)
        raise ProposalNotInEvaluation(
            f"Proposal {entry.proposal_id} is not in evaluation ({reason}).", extra={"reason": reason.replace(" ", "_")}
        )


def _why_not(entry: EvaluationEntry) -> str:
    if entry.withdrawn_at is not None:
        return "withdrawn"
    return "not eligible" if entry.current_eligibility == Eligibility.NOT_ELIGIBLE else "eligibility not decided yet"
