"""A region's officer confirms or overrides an automatic verdict, or closes a manual item, on its own
region's checks; the agency does the same on the consortium-level checks (the proposal as a whole).
Always with a reason, audited, correctable until the call's check deadline, final after it."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import Audited, AuditTrail
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import decides
from ..call_cache import CallCache
from ..cases import try_decide
from ..domain.checks import CheckVerdict, can_decide
from ..domain.lifecycle import CaseStatus
from ..errors import CheckNotCurrent, EligibilityDecisionsFinal
from ..models import PartnerCheck, ProposalCase, audit_log
from ..repository import get_case, get_check

Action = Literal["confirm", "override", "close"]


async def decide_check(
    session: AsyncSession,
    runtime: Runtime,
    calls: CallCache,
    officer: Principal,
    check_id: int,
    action: Action,
    verdict: CheckVerdict | None,
    reason: str,
) -> PartnerCheck:
    check, case = await _decidable(session, officer, check_id)
    _, config = await calls.call_config(session, check.call_id, missing=NotFound)
    now = runtime.clock.now()
    if config.eligibility_check_due is not None and now >= config.eligibility_check_due:
        raise EligibilityDecisionsFinal(
            f"The call's eligibility check deadline ({config.eligibility_check_due.isoformat()}) has passed: "
            "its decisions are final.",
            extra={"server_time": now.isoformat(), "deadline": config.eligibility_check_due.isoformat()},
        )
    new_verdict = _verdict_after(check, action, verdict)
    before = {"verdict": check.verdict, "decided_by": check.decided_by}
    check.verdict, check.decided_by, check.decision_reason, check.decided_at = (
        new_verdict.value,
        officer.label,
        reason,
        now,
    )
    await session.flush()
    trail = AuditTrail(session, audit_log, runtime.clock, officer.actor)
    about = Audited("check", str(check.id), check.call_id)
    await trail.record(f"check.{action}", about, before=before, after={"verdict": check.verdict}, reason=reason)
    await try_decide(session, runtime, case, config)
    return check


async def _decidable(session: AsyncSession, officer: Principal, check_id: int) -> tuple[PartnerCheck, ProposalCase]:
    """The check and its case, both locked; 404 if not the officer's to decide, 409 if no longer current."""
    check = await get_check(session, check_id)
    if check is None or not decides(officer, check.region_code):
        raise NotFound(f"No check {check_id} for {officer.label}.")
    # The case first, then the check: the order record_submission and withdraw_case lock them in.
    case = await get_case(session, check.proposal_id, for_update=True)
    check = await get_check(session, check_id, for_update=True)
    assert case is not None and check is not None
    if not check.current:
        raise CheckNotCurrent(_not_current(check, case), extra={"proposal_status": case.status})
    return check, case


def _not_current(check: PartnerCheck, case: ProposalCase) -> str:
    if case.status == CaseStatus.WITHDRAWN:
        return f"Check {check.id} is no longer decidable: the proposal was withdrawn."
    if case.status == CaseStatus.AWAITING_DEADLINE:
        return (
            f"Check {check.id} is no longer decidable: the call's deadline was extended and version "
            f"{case.version} was submitted; the checks of the final version open when the deadline passes."
        )
    return f"Check {check.id} is no longer decidable: it was replaced by the checks of version {case.version}."


def _verdict_after(check: PartnerCheck, action: Action, verdict: CheckVerdict | None) -> CheckVerdict:
    manual = check.automatic_verdict == CheckVerdict.NEEDS_HUMAN.value
    if action == "confirm":
        if manual:
            raise _invalid("action", "a manual item has no automatic verdict to confirm: close it with a verdict")
        return CheckVerdict(check.automatic_verdict)
    if verdict is None or not can_decide(CheckVerdict(check.verdict), verdict):
        raise _invalid("verdict", "give the verdict: pass or fail")
    if action == "close" and not manual:
        raise _invalid("action", "only manual items are closed; override an automatic verdict")
    if action == "override" and manual:
        raise _invalid("action", "a manual item is closed, not overridden")
    return verdict


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message)])
