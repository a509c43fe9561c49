"""The monitoring pages (issue 19's view, for agencies and regions): per call, the funded projects by status,
the reports due, overdue and accepted, the payments held, the indicators against their targets, the money
committed against the costs reported (in each currency and in the reporting currency), and the time to
contract. A region sees its own part, as project_monitoring gives it to its token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from ..i18n import N_
from ..web import CALLS, MONITORING, PortalDep, SignInRequired, role_of

router = APIRouter(prefix="/monitoring")

# The call statuses from which a call has funded projects to follow.
FOLLOWED = {"results_published"}


def _reader(request: Request) -> str:
    role = role_of(request)
    if role not in ("agency", "region"):
        raise SignInRequired
    return role


@router.get("", response_class=HTMLResponse)
async def calls_followed(request: Request, portal: PortalDep) -> Response:
    """The agency's calls with results (a region reaches its calls from its overview)."""
    role = _reader(request)
    calls = []
    if role == "agency":
        listing = await portal.api(request).get(f"{CALLS}/calls/all", limit=200)
        calls = [c for c in listing.body.get("items", []) if c.get("status") in FOLLOWED] if listing.ok else []
    context = {"title": N_("Monitoring"), "calls": calls, "role": role}
    return portal.page(request, "monitoring/calls.html", context)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
async def call_monitoring(request: Request, portal: PortalDep, call_id: str) -> Response:
    _reader(request)
    api = portal.api(request)
    call, view = await api.get(f"{CALLS}/calls/{call_id}"), await api.get(f"{MONITORING}/calls/{call_id}/monitoring")
    if not call.ok or not view.ok:
        answer = view if call.ok else call
        refused = {"title": N_("Not found"), "text": N_("This call is not open to you."), "detail": answer.detail}
        return portal.page(request, "message.html", refused, answer.status)
    context: dict[str, Any] = {
        "title": N_("Monitoring of %(code)s"),
        "title_args": {"code": call.body.get("code", call_id)},
        "call": call.body,
        "view": view.body,
        "reported": {line["currency"]: line for line in view.body.get("reported_costs", [])},
    }
    return portal.page(request, "monitoring/call.html", context)
