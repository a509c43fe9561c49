"""An assigned evaluator asks to read a proposal's documents: evaluation, which knows assignments and conflicts,
signs a short-lived grant; proposal_intake, which holds the documents, verifies it and serves only the types
marked readable by evaluators (see shared.document_grants)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditTrail
from shared.document_grants import GRANT_TTL_S, grant_key, issue_grant
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import proposal_for_evaluator
from ..models import audit_log
from ..settings import Settings


@dataclass(frozen=True)
class IssuedGrant:
    proposal_id: str
    version: int
    grant: str
    expires_at: datetime


async def grant_documents(
    session: AsyncSession, runtime: Runtime, principal: Principal, proposal_id: str
) -> IssuedGrant:
    # Checked now, at every grant: assigned, in evaluation, no conflict declared or found (404 otherwise).
    entry, evaluator, _ = await proposal_for_evaluator(session, principal, proposal_id)
    settings = runtime.settings
    assert isinstance(settings, Settings)
    key = grant_key(settings.document_grant_secret, settings.jwt_secret, settings.jwt_algorithm)
    token = issue_grant(key, evaluator_id=evaluator.id, proposal_id=entry.proposal_id, version=entry.proposal_version)
    await AuditTrail(session, audit_log, runtime.clock, principal.label).record(
        "documents.granted",
        entry.audited,
        after={"evaluator": evaluator.id, "version": entry.proposal_version, "ttl_s": GRANT_TTL_S},
    )
    # The grant's expiry is on the real clock (proposal_intake checks it on its own).
    expires_at = datetime.fromtimestamp(time.time() + GRANT_TTL_S, UTC)
    return IssuedGrant(entry.proposal_id, entry.proposal_version, token, expires_at)
