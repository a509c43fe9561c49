"""An evaluator submits its assessment: complete (a score and a justification per criterion), then locked."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import evaluation_rules, proposal_for_evaluator
from ..assessments import refuse_if_submitted, refuse_problems
from ..domain.assessment import AssessmentStatus, draft_problems, missing_for_submission
from ..errors import AssessmentIncomplete
from ..models import Assessment, audit_log
from ..repository import get_assessment


async def submit_assessment(
    session: AsyncSession, runtime: Runtime, principal: Principal, proposal_id: str
) -> Assessment:
    entry, evaluator, config = await proposal_for_evaluator(session, principal, proposal_id)
    assessment = await get_assessment(session, proposal_id, evaluator.id, for_update=True)
    refuse_if_submitted(assessment)
    scores = {k: Decimal(v) for k, v in assessment.scores.items()} if assessment else {}
    justifications = assessment.justifications if assessment else {}
    rules = evaluation_rules(
        config, entry.stage
    )  # checked again: the call's scale may have been amended since the save
    missing = missing_for_submission(scores, justifications, rules)
    problems = draft_problems(scores, justifications, rules) + missing
    if missing:
        extra = {"missing": [problem.field for problem in missing]}
        refuse_problems(problems, "The assessment is incomplete or not valid", AssessmentIncomplete, extra)
    refuse_problems(problems, "The assessment is not valid")
    assert assessment is not None  # an absent draft misses everything
    now = runtime.clock.now()
    assessment.status, assessment.submitted_at, assessment.updated_at = AssessmentStatus.SUBMITTED, now, now
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, principal.actor).record(
        "assessment.submitted",
        Audited("assessment", f"{proposal_id}:{evaluator.id}", entry.call_id),
        before={"status": AssessmentStatus.DRAFT},
        after={"status": AssessmentStatus.SUBMITTED, "scores": assessment.scores},
    )
    return assessment
