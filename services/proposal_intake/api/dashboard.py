"""The secretariat's deadline dashboard of a call (agency): counts over time, by region, by partner count, the
pre-checks' findings and the refusals; each part says what it covers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from shared.http.exact_json import ExactJsonRoute
from shared.http.roles import Agency
from shared.service import DbSession, RuntimeDep

from ..use_cases.read_dashboard import read_dashboard
from .dependencies import Calls
from .presenters import dashboard_out
from .schemas import DashboardOut

router = APIRouter(tags=["proposals"], route_class=ExactJsonRoute)


@router.get(
    "/calls/{call_id}/dashboard",
    response_model=DashboardOut,
    summary="The deadline dashboard of a call: counts over time, by region and partner count, pre-check "
    "findings and refusals (agency)",
)
async def get_dashboard(
    call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, calls: Calls, _: Agency
) -> DashboardOut:
    return dashboard_out(await read_dashboard(session, runtime, calls, call_id=str(call_id)))
