"""An evaluator saves a draft of its assessment: scores on the call's scale and a justification per criterion.

A draft may be partial and is replaced whole on every save; once submitted it is locked.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import evaluation_rules, proposal_for_evaluator
from ..assessments import refuse_if_submitted, refuse_problems
from ..domain.assessment import AssessmentStatus, draft_problems, score_text
from ..models import Assessment, audit_log
from ..repository import get_assessment


async def save_assessment(
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    proposal_id: str,
    scores: Mapping[str, Decimal],
    justifications: Mapping[str, str],
) -> Assessment:
    entry, evaluator, config = await proposal_for_evaluator(session, principal, proposal_id)
    refuse_problems(
        draft_problems(scores, justifications, evaluation_rules(config, entry.stage)), "The draft is not valid"
    )
    assessment = await get_assessment(session, proposal_id, evaluator.id, for_update=True)
    refuse_if_submitted(assessment)
    now = runtime.clock.now()
    before = {"scores": assessment.scores} if assessment else None
    if assessment is None:
        assessment = Assessment(proposal_id=proposal_id, evaluator_id=evaluator.id, call_id=entry.call_id)
        session.add(assessment)
    assessment.scores = {key: score_text(value) for key, value in scores.items()}
    assessment.justifications = {key: text.strip() for key, text in justifications.items()}
    assessment.status, assessment.updated_at = AssessmentStatus.DRAFT, now
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, principal.actor).record(
        "assessment.saved",
        Audited("assessment", f"{proposal_id}:{evaluator.id}", entry.call_id),
        before=before,
        after={"scores": assessment.scores},
    )
    return assessment
