"""A consortium removes a document from its own draft (submitted versions keep theirs)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit_row
from shared.errors import DeadlinePassed, NotFound
from shared.http.principal import Principal
from shared.service import Runtime

from ..access import refuse_if_withdrawn
from ..call_cache import CallCache
from ..document_access import hidden, is_owner
from ..document_repository import unlink_from_draft
from ..domain.documents import PROPOSAL_LEVEL
from ..domain.submission import submission_window_error
from ..repository import proposal_with_call, record_audit


async def delete_document(
    session: AsyncSession,
    runtime: Runtime,
    calls: CallCache,
    consortium: Principal,
    proposal_id: str,
    type_key: str,
    partner: str | None,
) -> None:
    """Unlink a document from the consortium's own draft (its bytes stay for the versions that link them;
    unlinked bytes are collected later)."""
    proposal = await proposal_with_call(session, proposal_id, for_update=True)
    if proposal is None or not is_owner(consortium, proposal):
        raise hidden(proposal_id)
    refuse_if_withdrawn(proposal.status)
    call = calls.known(proposal.call_snapshot, proposal.call_id).snapshot
    now = runtime.clock.now()
    refusal = submission_window_error(call, now)
    if refusal:
        raise DeadlinePassed(refusal, extra={"server_time": now.isoformat()})
    if not await unlink_from_draft(session, proposal_id, type_key, partner or PROPOSAL_LEVEL):
        raise NotFound(f"The draft has no document '{type_key}'" + (f" of partner {partner}." if partner else "."))
    await record_audit(
        session,
        audit_row(
            clock=runtime.clock,
            actor=consortium.label,
            action="document.deleted",
            entity="proposal",
            entity_id=proposal_id,
            call_id=proposal.call_id,
            before={"type": type_key, "partner": partner},
        ),
    )
