"""The agency issues a new bearer token for a registered expert (the old one stays valid until it expires)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.service import Runtime

from ..access import evaluator_by_id
from ..changes import audit
from ..tokens import evaluator_token


async def reissue_token(session: AsyncSession, runtime: Runtime, agency: Principal, evaluator_id: str) -> str:
    """A new token for a registered evaluator (the old one stays valid until it expires)."""
    evaluator = await evaluator_by_id(session, evaluator_id)
    await audit(
        session, runtime, agency.actor, "evaluator.token_issued", ("evaluator", evaluator.id), evaluator.call_id
    )
    return evaluator_token(runtime, evaluator)
