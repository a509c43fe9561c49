"""The regional officer's pages: the region's queue of checks to decide (one by one or in a batch), and the
region's overview of its proposals and, once the funding is decided, the decisions to confirm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..i18n import N_, format_when
from ..web import CALLS, ELIGIBILITY, EVALUATION, INTAKE, Portal, PortalDep, RegionSession

router = APIRouter(prefix="/officer")


def _queue_context(items: list[dict[str, Any]], filters: dict[str, str], **more: Any) -> dict[str, Any]:
    return {"title": N_("Checks to decide"), "items": items, "filters": filters, "errors": {}, **more}


@router.get("/checks", response_class=HTMLResponse)
async def queue(
    request: Request,
    portal: PortalDep,
    _signed_in: RegionSession,
    status: str | None = "open",
    verdict: str | None = None,
    cursor: str | None = None,
) -> Response:
    answer = await portal.api(request).get(f"{ELIGIBILITY}/checks", status=status, verdict=verdict, cursor=cursor)
    context = _queue_context(
        answer.body.get("items", []) if answer.ok else [],
        {"status": status or "", "verdict": verdict or ""},
        next_cursor=answer.body.get("next_cursor") if answer.ok else None,
        detail=None if answer.ok else answer.detail,
        done=request.query_params.get("decided"),
    )
    return portal.page(request, "officer/checks.html", context)


@router.post("/checks/decisions", response_class=HTMLResponse)
async def decide(request: Request, portal: PortalDep, _signed_in: RegionSession) -> Response:
    form = await portal.form_of(request)
    body: dict[str, Any] = {"action": form.get("action"), "reason": form.get("reason") or ""}
    if form.get("verdict"):
        body["verdict"] = form.get("verdict")
    api = portal.api(request)
    decided, errors = 0, {}
    for check_id in form.get("check_id") or []:
        answer = await api.request("POST", f"{ELIGIBILITY}/checks/{check_id}/decision", json=body)
        if answer.ok:
            decided += 1
        else:
            errors.update(answer.field_errors() or {"": answer.detail})
    if not errors and decided:
        return RedirectResponse(f"/officer/checks?status=decided&decided={decided}", status_code=303)
    if not decided and not errors:
        errors["check_id"] = portal.gettext(request, N_("Select at least one check."))
    listing = await api.get(f"{ELIGIBILITY}/checks", status="open")
    context = _queue_context(
        listing.body.get("items", []) if listing.ok else [],
        {"status": "open", "verdict": ""},
        next_cursor=None,
        detail=None,
        done=str(decided) if decided else None,
        values=form,
    )
    context["errors"] = errors
    return portal.page(request, "officer/checks.html", context, 422)


async def region_overview(portal: Portal, request: Request) -> list[dict[str, Any]]:
    """The region's calls, each with the proposals that have its partners (their eligibility as the service
    has it) and, once the funding is decided, the region's part of the decisions."""
    api = portal.api(request)
    checks = await api.get(f"{ELIGIBILITY}/checks", limit=500)
    proposal_ids = list(dict.fromkeys(c["proposal_id"] for c in checks.body.get("items", []))) if checks.ok else []
    calls: dict[str, dict[str, Any]] = {}
    for proposal_id in proposal_ids:
        case = await api.get(f"{ELIGIBILITY}/proposals/{proposal_id}")
        if not case.ok:
            continue
        call_id = case.body["call_id"]
        if call_id not in calls:
            calls[call_id] = await _call_entry(portal, request, call_id)
        case.body["open_checks"] = sum(1 for c in case.body["checks"] if c["verdict"] == "needs_human")
        calls[call_id]["cases"].append(case.body)
    for entry in calls.values():
        zone = (entry["call"].get("configuration") or {}).get("time_zone")
        for confirmation in (entry["funding"] or {}).get("confirmations", []):
            if confirmation.get("confirmed_at"):
                moment = datetime.fromisoformat(confirmation["confirmed_at"])
                confirmation["confirmed_when"] = format_when(moment, zone, portal.language_of(request))
    return list(calls.values())


async def _call_entry(portal: Portal, request: Request, call_id: str) -> dict[str, Any]:
    api = portal.api(request)
    call = await api.get(f"{CALLS}/calls/{call_id}")
    partners = await api.get(f"{INTAKE}/calls/{call_id}/partners", limit=200)
    funding = await api.get(f"{EVALUATION}/calls/{call_id}/funding")
    by_proposal: dict[str, list[dict[str, Any]]] = {}
    for row in partners.body.get("items", []) if partners.ok else []:
        by_proposal.setdefault(row["proposal_id"], []).append(row["partner"])
    return {
        "id": call_id,
        "call": call.body if call.ok else {"code": call_id, "title": ""},
        "cases": [],
        "partners": by_proposal,
        "funding": funding.body if funding.ok else None,
    }


@router.get("/overview", response_class=HTMLResponse)
async def overview(request: Request, portal: PortalDep, _signed_in: RegionSession) -> Response:
    context = {"title": N_("My region's overview"), "calls": await region_overview(portal, request), "errors": {}}
    return portal.page(request, "officer/overview.html", context)


@router.post("/calls/{call_id}/confirmation", response_class=HTMLResponse)
async def confirm_decisions(request: Request, portal: PortalDep, signed_in: RegionSession, call_id: str) -> Response:
    form = await portal.form_of(request)
    body: dict[str, Any] = {"decision": form.get("decision")}
    if form.get("funding_version"):
        body["funding_version"] = form.get("funding_version")
    if form.get("decision") == "decline":
        body.update(proposal_id=form.get("proposal_id") or None, reason=form.get("reason") or None)
    path = f"{EVALUATION}/calls/{call_id}/funding/regions/{signed_in.scope}/confirmation"
    answer = await portal.api(request).request("POST", path, json=body)
    if answer.ok:
        done = "declined" if form.get("decision") == "decline" else "confirmed"
        return RedirectResponse(f"/officer/overview?{done}={call_id}", status_code=303)
    errors = {f"{field}-{call_id}": message for field, message in answer.field_errors().items()}
    context = {
        "title": N_("My region's overview"),
        "calls": await region_overview(portal, request),
        "errors": errors or {"": answer.detail},
        "values": form,
    }
    return portal.page(request, "officer/overview.html", context, 422)
