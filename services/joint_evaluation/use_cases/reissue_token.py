"""The agency issues a new bearer token for a registered expert (the old one stays valid until it expires)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import evaluator_by_id
from ..models import audit_log
from ..tokens import evaluator_token


async def reissue_token(session: AsyncSession, runtime: Runtime, agency: Principal, evaluator_id: str) -> str:
    """A new token for a registered evaluator (the old one stays valid until it expires)."""
    evaluator = await evaluator_by_id(session, evaluator_id)
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "evaluator.token_issued", evaluator.audited
    )
    return evaluator_token(runtime, evaluator)
