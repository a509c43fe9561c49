"""The route of a service's call-scoped audit trail, the same in every service that keeps one:
`GET /calls/{call_id}/audit` (agency), newest first, filtered by who and what, cursor-paginated."""

from __future__ import annotations

import uuid
from typing import Protocol

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import AuditEntryOut, AuditQuery
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import ActionFilter, ActorFilter, AuditCursor, AuditLimit
from shared.http.roles import Agency
from shared.pagination import Page
from shared.service import DbSession


class ListAudit(Protocol):
    """A service's use case that reads its audit trail of a call."""

    async def __call__(self, session: AsyncSession, call_id: str, query: AuditQuery) -> Page[AuditEntryOut]: ...


def audit_router(list_audit: ListAudit) -> APIRouter:
    router = APIRouter(tags=["audit"], route_class=ExactJsonRoute)

    @router.get(
        "/calls/{call_id}/audit",
        response_model=Page[AuditEntryOut],
        summary="The call's audit trail here, newest first, filtered by actor and action (agency)",
    )
    async def get_audit(
        call_id: uuid.UUID,
        session: DbSession,
        _: Agency,
        actor: ActorFilter = None,
        action: ActionFilter = None,
        limit: AuditLimit = 100,
        cursor: AuditCursor = None,
    ) -> Page[AuditEntryOut]:
        return await list_audit(session, str(call_id), AuditQuery(actor, action, cursor, limit))

    return router
