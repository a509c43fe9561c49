"""An agency registers an independent expert for a call; the expert gets its own bearer token."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.call_backfill import CallFetcher
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import call_config
from ..models import Evaluator, audit_log
from ..tokens import evaluator_token


@dataclass(frozen=True)
class NewEvaluator:
    name: str
    email: str
    organisation: str
    organisation_legal_id: str | None
    country: str
    region_code: str | None
    expertise: list[str]
    max_load: int


async def register_evaluator(
    session: AsyncSession,
    runtime: Runtime,
    agency: Principal,
    call_id: str,
    new: NewEvaluator,
    fetch: CallFetcher | None = None,
) -> tuple[Evaluator, str]:
    """The registered evaluator and a token for the role ``evaluator:<id>``. A call published a moment ago
    whose event has not arrived is read from call_definition with `fetch`; 404 for a call that does not exist."""
    await call_config(session, call_id, backfill=(fetch, runtime.clock) if fetch else None)
    evaluator = Evaluator(
        id=str(uuid.uuid4()),
        call_id=call_id,
        registered_at=runtime.clock.now(),
        **asdict(new),
    )
    session.add(evaluator)
    await session.flush()
    await AuditTrail(session, audit_log, runtime.clock, agency.actor).record(
        "evaluator.registered",
        evaluator.audited,
        after={"call_id": call_id, "name": new.name, "organisation": new.organisation, "max_load": new.max_load},
    )
    return evaluator, evaluator_token(runtime, evaluator)
