"""The agency's view of refused submissions in a call: how many per rule, and each draft's last refusal."""

from __future__ import annotations

from sqlalchemy import select

from shared.db import Executor

from ..domain.refusals import REFUSED, Refusal, RefusalSummary, summarise
from ..models import audit_log


async def refusals_of_call(connection: Executor, call_id: str) -> RefusalSummary:
    rows = await connection.execute(
        select(audit_log.c.at, audit_log.c.after)
        .where(audit_log.c.entity == "call", audit_log.c.entity_id == call_id, audit_log.c.action == REFUSED)
        .order_by(audit_log.c.id)
    )
    return summarise([Refusal.from_audit(at, after) for at, after in rows])
