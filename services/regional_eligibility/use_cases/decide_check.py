"""A region's officer confirms or overrides an automatic verdict, or closes a manual item: always
with a reason, audited, correctable until the region's check deadline, final after it."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.http.auth import Principal
from shared.service import Runtime

from ..domain.checks import CheckVerdict
from ..models import PartnerCheck, audit_log
from ..repository import get_case, get_check
from .cases import call_config, try_decide

Action = Literal["confirm", "override", "close"]


async def decide_check(
    session: AsyncSession,
    runtime: Runtime,
    officer: Principal,
    check_id: int,
    action: Action,
    verdict: CheckVerdict | None,
    reason: str,
) -> PartnerCheck:
    check = await get_check(session, check_id, for_update=True)
    if check is None or not check.current or check.region_code != officer.scope:
        raise NotFound(f"No open check {check_id} for {officer.label}.")
    _, config = await call_config(session, check.call_id, missing=NotFound)
    now = runtime.clock.now()
    if config.eligibility_check_due is not None and now >= config.eligibility_check_due:
        raise Conflict(
            f"The region's check deadline ({config.eligibility_check_due.isoformat()}) has passed: "
            "its decisions are final."
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
    await record_audit(
        session,
        audit_log,
        clock=runtime.clock,
        actor=officer.label,
        action=f"check.{action}",
        entity="check",
        entity_id=str(check.id),
        before=before,
        after={"verdict": check.verdict},
        reason=reason,
    )
    case = await get_case(session, check.proposal_id, for_update=True)
    assert case is not None
    await try_decide(session, runtime, case, config)
    return check


def _verdict_after(check: PartnerCheck, action: Action, verdict: CheckVerdict | None) -> CheckVerdict:
    manual = check.automatic_verdict == CheckVerdict.NEEDS_HUMAN.value
    if action == "confirm":
        if manual:
            raise _invalid("action", "a manual item has no automatic verdict to confirm: close it with a verdict")
        return CheckVerdict(check.automatic_verdict)
    if verdict is None or verdict is CheckVerdict.NEEDS_HUMAN:
        raise _invalid("verdict", "give the verdict: pass or fail")
    if action == "close" and not manual:
        raise _invalid("action", "only manual items are closed; override an automatic verdict")
    if action == "override" and manual:
        raise _invalid("action", "a manual item is closed, not overridden")
    return verdict


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message)])
