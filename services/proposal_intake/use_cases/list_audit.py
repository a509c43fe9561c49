"""The agency reads a call's audit trail as this service recorded it: newest first, filtered by who and what."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditEntryOut, call_audit
from shared.pagination import Page

from ..models import audit_log, call_copies


async def list_audit(
    session: AsyncSession, call_id: str, *, actor: str | None, action: str | None, cursor: str | None, limit: int
) -> Page[AuditEntryOut]:
    """404 for a call this service has not heard of; an empty page for a known call with nothing recorded."""
    return await call_audit(
        session, audit_log, call_copies, call_id, actor=actor, action=action, cursor=cursor, limit=limit
    )
