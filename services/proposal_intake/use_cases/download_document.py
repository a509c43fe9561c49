"""Downloading one document of a proposal, if the principal may read it (see document_access); every download by
anyone but the owner is audited (who, which document, when)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit_row
from shared.errors import NotFound
from shared.http.principal import Principal
from shared.service import Runtime

from ..call_cache import CallCache
from ..document_access import readable_documents
from ..document_repository import blob_of
from ..domain.documents import PROPOSAL_LEVEL, LinkedDocument
from ..repository import record_audit


@dataclass(frozen=True)
class Download:
    document: LinkedDocument
    locator: str
    version: int | None


async def download_document(
    session: AsyncSession,
    runtime: Runtime,
    calls: CallCache,
    principal: Principal,
    proposal_id: str,
    type_key: str,
    partner: str | None,
    *,
    version: int | None = None,
    grant: str | None = None,
) -> Download:
    """The document, if the principal may read it; audited unless the owner reads its own (in the caller's
    transaction: committed before the bytes go out)."""
    readable = await readable_documents(session, runtime, calls, principal, proposal_id, version=version, grant=grant)
    wanted = (type_key, partner or PROPOSAL_LEVEL)
    document = next((d for d in readable.documents if (d.type_key, d.partner_key) == wanted), None)
    if document is None:
        whose = f" of partner {partner}" if partner else ""
        raise NotFound(f"No document '{type_key}'{whose} to read in proposal {proposal_id}.")
    locator, _ = await blob_of(session, document.sha256)
    if not readable.owner:
        person = f" ({principal.subject})" if principal.subject and principal.subject != principal.label else ""
        await record_audit(
            session,
            audit_row(
                clock=runtime.clock,
                actor=f"{principal.label}{person}",
                action="document.downloaded",
                entity="proposal",
                entity_id=proposal_id,
                call_id=readable.call_id,
                after={**document.receipt_entry(), "version": readable.version},
            ),
        )
    return Download(document=document, locator=locator, version=readable.version)
