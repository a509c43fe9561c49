"""The documents one may read of a proposal: its draft's (consortium, agency) or a version's (see
document_access for who reads what)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.principal import Principal
from shared.service import Runtime

from ..call_cache import CallCache
from ..document_access import Readable, readable_documents


async def list_documents(
    session: AsyncSession,
    runtime: Runtime,
    calls: CallCache,
    principal: Principal,
    proposal_id: str,
    *,
    version: int | None = None,
    grant: str | None = None,
) -> Readable:
    """version None: the draft for its consortium and agencies, the version that counts for the others."""
    return await readable_documents(session, runtime, calls, principal, proposal_id, version=version, grant=grant)
