"""The rapporteur (an agency) sets a consensus score that differs from the rounded mean, with a justification.

The overrides are replaced whole (an empty set returns every criterion to the rounded mean) until the
consensus is finalised.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config, entry_and_call_key, evaluation_rules, refuse_once_completed, refuse_unless_evaluable
from ..assessments import refuse_problems
from ..consensus import consensus_for_update, refuse_if_final
from ..domain.assessment import Problem, draft_problems, score_text
from ..models import audit_log
from ..repository import progress_for_share
from ..views import Known, ProposalState, proposal_state


async def set_consensus(
    session: AsyncSession,
    runtime: Runtime,
    agency: Principal,
    proposal_id: str,
    overrides: Mapping[str, tuple[Decimal, str]],
) -> ProposalState:
    """`overrides`: criterion key -> (score, justification). The proposal's state after it."""
    entry, key = await entry_and_call_key(session, proposal_id)
    refuse_unless_evaluable(entry)
    config = await call_config(session, entry.call_id, key=key)
    # Share-locked: consensus of other proposals goes on meanwhile, the call-wide steps (completing the ranking,
    # a shortlist, an assignment) wait for it and it for them.
    refuse_once_completed(await progress_for_share(session, entry.call_id, runtime.clock.now()))
    scores = {key: score for key, (score, _) in overrides.items()}
    problems = [
        Problem(p.field.replace("scores.", "criteria.", 1), p.message)
        for p in draft_problems(scores, {}, evaluation_rules(config, entry.stage))
    ]
    refuse_problems(problems, "The consensus is not valid")
    consensus = await consensus_for_update(session, entry.call_id, proposal_id, runtime)
    refuse_if_final(consensus)
    before = consensus.overrides
    consensus.overrides = {
        key: {"score": score_text(score), "justification": text.strip()} for key, (score, text) in overrides.items()
    }
    consensus.updated_at = runtime.clock.now()
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "consensus.overridden",
        entry.audited,
        before=before,
        after=consensus.overrides,
    )
    return await proposal_state(session, entry, Known(config, consensus))
