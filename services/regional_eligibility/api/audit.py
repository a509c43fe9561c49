"""The call's audit trail in regional_eligibility (agency): every change recorded here about the call, its proposals and
what hangs on them, newest first, filtered by who and what, cursor-paginated."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.audit import AuditEntryOut
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import ActionFilter, ActorFilter, AuditCursor, AuditLimit
from shared.http.roles import Agency
from shared.pagination import Page
from shared.service import DbSession

from ..use_cases.list_audit import list_audit

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
    return await list_audit(session, str(call_id), actor=actor, action=action, cursor=cursor, limit=limit)
