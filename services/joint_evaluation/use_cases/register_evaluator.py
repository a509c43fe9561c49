"""An agency registers an independent expert for a call; the expert gets its own bearer token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.call_backfill import CallFetcher
from shared.errors import NotFound
from shared.http.principal import Principal
from shared.service import Runtime
from shared.tokens import issue_token

from ..access import call_config
from ..changes import audit
from ..models import Evaluator
from ..repository import get_evaluator

# Long enough for an evaluation round; the agency can issue a new one at any time.
EVALUATOR_TOKEN_TTL_S = 60 * 24 * 3600


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
        name=new.name,
        email=new.email,
        organisation=new.organisation,
        organisation_legal_id=new.organisation_legal_id,
        country=new.country,
        region_code=new.region_code,
        expertise=new.expertise,
        max_load=new.max_load,
        registered_at=runtime.clock.now(),
    )
    session.add(evaluator)
    await session.flush()
    await audit(
        session,
        runtime,
        agency.actor,
        "evaluator.registered",
        ("evaluator", evaluator.id),
        call_id,
        after={"call_id": call_id, "name": new.name, "organisation": new.organisation, "max_load": new.max_load},
    )
    return evaluator, evaluator_token(runtime, evaluator)


async def reissue_token(session: AsyncSession, runtime: Runtime, agency: Principal, evaluator_id: str) -> str:
    """A new token for a registered evaluator (the old one stays valid until it expires)."""
    evaluator = await get_evaluator(session, evaluator_id)
    if evaluator is None:
        raise NotFound(f"No evaluator {evaluator_id}.")
    await audit(
        session, runtime, agency.actor, "evaluator.token_issued", ("evaluator", evaluator.id), evaluator.call_id
    )
    return evaluator_token(runtime, evaluator)


def evaluator_token(runtime: Runtime, evaluator: Evaluator) -> str:
    settings = runtime.settings
    return issue_token(
        settings.jwt_secret,
        f"evaluator:{evaluator.id}",
        subject=evaluator.email,
        ttl_s=EVALUATOR_TOKEN_TTL_S,
        algorithm=settings.jwt_algorithm,
    )
