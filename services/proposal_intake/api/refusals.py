"""The agency's view of refused submissions: per call, how many per rule, and each draft's last refusal."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.http.exact_json import ExactJsonRoute
from shared.http.roles import Agency
from shared.service import DbSession

from ..use_cases.list_refusals import list_refusals
from .presenters import refusals_out
from .schemas import RefusalsOut

router = APIRouter(tags=["proposals"], route_class=ExactJsonRoute)


@router.get(
    "/calls/{call_id}/refusals",
    response_model=RefusalsOut,
    summary="Submissions refused in a call: counts per rule and each draft's last refusal (agency)",
)
async def get_refusals(call_id: uuid.UUID, session: DbSession, _: Agency) -> RefusalsOut:
    return refusals_out(call_id, await list_refusals(session, str(call_id)))
