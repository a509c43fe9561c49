"""The agency finalises a proposal's consensus once every assigned evaluator has submitted.

The final score per criterion is the rapporteur's override where there is one, the mean of the submitted
scores rounded half up to the scale's step otherwise (``domain.scoring.consensus``). From then on the
evaluators of the proposal may see each other's scores, and the proposal enters the ranking.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime
from shared.wording import agree, count

from ..access import (
    call_config,
    entry_and_call_key,
    evaluation_rules,
    overrides_of,
    refuse_once_completed,
    refuse_unless_evaluable,
    submitted_scores,
)
from ..consensus import consensus_for_update, refuse_if_final
from ..domain.assessment import AssessmentStatus, score_text
from ..domain.scoring import EvaluationRules, EvaluatorScores, ProposalConsensus, consensus
from ..errors import AssessmentsOutstanding, ConsensusIncomplete
from ..models import Consensus, audit_log
from ..repository import assessments_of, pairs_of_proposals, progress_for_share
from ..views import Known, ProposalState, proposal_state


async def finalise_consensus(
    session: AsyncSession, runtime: Runtime, agency: Principal, proposal_id: str
) -> ProposalState:
    """The proposal's state with its consensus final."""
    entry, key = await entry_and_call_key(session, proposal_id)
    refuse_unless_evaluable(entry)
    config = await call_config(session, entry.call_id, key=key)
    refuse_once_completed(await progress_for_share(session, entry.call_id, runtime.clock.now()))  # see set_consensus
    record = await consensus_for_update(session, entry.call_id, proposal_id, runtime)
    refuse_if_final(record)
    assessments = await assessments_of(session, proposal_id)
    submitted = {a.evaluator_id for a in assessments if a.status == AssessmentStatus.SUBMITTED}
    pairs = await pairs_of_proposals(session, [proposal_id])
    waiting = sorted({p.evaluator_id for p in pairs} - submitted)
    if waiting:
        who = f"{count(len(waiting), 'assigned evaluator')} {agree(len(waiting), 'has', 'have')}"
        raise AssessmentsOutstanding(f"{who} not submitted yet.", extra={"waiting_for": waiting})
    rules = evaluation_rules(config, entry.stage)
    result = _consensus_of(record, submitted_scores(assessments, rules), rules)
    now = runtime.clock.now()
    record.scores = {key: score_text(value) for key, value in result.scores.items()}
    record.finalised_at, record.finalised_by, record.updated_at = now, agency.label, now
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "consensus.finalised",
        entry.audited,
        after={"scores": record.scores, "overridden": sorted(record.overrides)},
    )
    return await proposal_state(session, entry, Known(config, record, assessments, pairs))


def _consensus_of(record: Consensus, submitted: list[EvaluatorScores], rules: EvaluationRules) -> ProposalConsensus:
    try:
        return consensus(submitted, rules, overrides_of(record))
    except ValueError as exc:  # a criterion nobody scored and the rapporteur did not set
        raise ConsensusIncomplete(f"The consensus cannot be computed: {exc}.") from exc
