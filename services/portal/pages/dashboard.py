"""The call secretariat's deadline dashboard (agency): drafts, submissions, resubmissions and refusals over the
call's timeline (an SVG chart and the same numbers in a table), the submitted proposals by region and by partner
count, what the pre-checks found by rule, and the submissions refused at the deadline; all as
`GET /proposal-intake/calls/{id}/dashboard` counts them.

While the call is open the page updates itself: htmx asks for the dashboard's fragment every 10 seconds (and
stops when the answer is 286, once the call is no longer open). It can be stopped (WCAG 2.2.2) with a link, and
without JavaScript it is a plain page with a link to load it again."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from ..dashboard_chart import timeline_chart
from ..i18n import N_
from ..oidc import forget_if_expired
from ..web import INTAKE, AgencySession, Portal, PortalDep, role_of

router = APIRouter(prefix="/secretariat")

POLL_SECONDS = 10
STOP_POLLING = 286  # htmx stops polling on this status


def tick_label(row: dict[str, Any], zone: str, language: str, daily: bool) -> str:
    """An interval's tick on the chart: its start in the call's zone, the day for daily intervals or longer,
    else the day and the hour."""
    if not row.get("start"):
        return ""
    local = datetime.fromisoformat(row["start"]).astimezone(ZoneInfo(zone))
    locale = "en_GB" if language == "en" else language
    day = format_date(local, "d MMM", locale=locale)
    return day if daily else f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def shown_rows(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The intervals the table lists: those begun by `now` (the ones still ahead hold nothing yet), and the rows
    before the opening and after the deadline when the API gives them."""
    return [row for row in rows if not row.get("start") or datetime.fromisoformat(row["start"]) <= now]


async def _dashboard(portal: Portal, request: Request, call_id: str) -> tuple[dict[str, Any] | None, Response | None]:
    call, counts = await asyncio.gather(
        portal.call(request, call_id), portal.api(request).get(f"{INTAKE}/calls/{call_id}/dashboard")
    )
    if not call.ok or not counts.ok:
        answer = counts if call.ok else call
        refused = {"title": N_("Not found"), "text": N_("This call has no dashboard."), "detail": answer.detail}
        return None, portal.page(request, "message.html", refused, answer.status)
    view = counts.body
    zone = call.body.get("configuration", {}).get("time_zone") or "UTC"
    language = portal.language_of(request)
    now = datetime.fromisoformat(view["server_time"])
    daily = int(view["interval_seconds"]) >= 86400
    chart = timeline_chart(view["over_time"], now, lambda row: tick_label(row, zone, language, daily))
    context: dict[str, Any] = {
        "title": N_("Deadline dashboard of %(code)s"),
        "title_args": {"code": call.body.get("code", call_id)},
        "call": call.body,
        "view": view,
        "zone": zone,
        "chart": chart,
        "rows": shown_rows(view["over_time"], now),
        # Open by the call's status and by the server's clock (the status changes a moment after the deadline).
        "live": view["status"] == "open" and now < datetime.fromisoformat(view["deadline"]),
        "poll_seconds": POLL_SECONDS,
    }
    return context, None


@router.get("/calls/{call_id}/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str, live: str = ""
) -> Response:
    context, refused = await _dashboard(portal, request, call_id)
    if context is None:
        assert refused is not None
        return refused
    context["polling"] = context["live"] and live != "off"
    return portal.page(request, "secretariat/dashboard.html", context)


@router.get("/calls/{call_id}/dashboard/live", response_class=HTMLResponse)
async def dashboard_fragment(request: Request, portal: PortalDep, call_id: str) -> Response:
    """The dashboard's counts alone, for htmx to swap in; 286 once the call is no longer open (htmx stops)."""
    forget_if_expired(request.session)
    if role_of(request) != "agency":  # signed out meanwhile: the whole page goes to the sign-in, not the fragment
        return Response(status_code=STOP_POLLING, headers={"HX-Redirect": "/sign-in"})
    context, refused = await _dashboard(portal, request, call_id)
    if context is None:
        assert refused is not None
        return refused
    response = portal.page(request, "secretariat/_dashboard_counts.html", context)
    if not context["live"]:
        response.status_code = STOP_POLLING
    return response
