"""The regional officer's pages: the region's queue of checks to decide (one by one or in a batch), a check with
the partner's data, documents and decision history, the region's overview of its proposals and, once the funding
is decided, the decisions to confirm, and the region's webhook subscriptions with their delivery logs."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.background import BackgroundTask

from ..api_client import ApiAnswer
from ..i18n import N_, format_when
from ..web import ELIGIBILITY, EVALUATION, INTAKE, Portal, PortalDep, RegionSession

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
    cases = [
        case
        for case in await asyncio.gather(*(api.get(f"{ELIGIBILITY}/proposals/{p}") for p in proposal_ids))
        if case.ok
    ]
    call_ids = list(dict.fromkeys(case.body["call_id"] for case in cases))
    entries = await asyncio.gather(*(_call_entry(portal, request, call_id) for call_id in call_ids))
    calls = dict(zip(call_ids, entries, strict=True))
    for case in cases:
        call_id = case.body["call_id"]
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
    call, partners, funding = await asyncio.gather(
        portal.call(request, call_id),
        api.get(f"{INTAKE}/calls/{call_id}/partners", limit=200),
        api.get(f"{EVALUATION}/calls/{call_id}/funding"),
    )
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


# The officer's check: the rule's verdict and reason, the partner's data and documents, its decision history.

REGION_RULES = {
    "regional.cost_cap": N_("Cost caps"),
    "regional.cost_categories": N_("Eligible cost categories"),
    "regional.currency": N_("Currency"),
    "regional.established_in_region": N_("Established in the region"),
    "regional.funding_rate": N_("Funding rate"),
    "regional.manual_check": N_("Manual check"),
    "regional.max_grant_per_partner": N_("Maximum grant per partner"),
    "regional.max_grant_per_proposal": N_("Maximum grant per proposal"),
    "regional.max_partners": N_("Maximum partners in the region"),
    "regional.organisation_type": N_("Organisation type"),
    "regional.trl": N_("Technology readiness level"),
}


def _numbers(partner: dict[str, Any]) -> dict[str, Any]:
    """The partner's figures as submitted: its costs per category, their sum, and what it requests of them."""
    costs = {key: Decimal(str(value)) for key, value in (partner.get("costs") or {}).items()}
    requested = partner.get("requested_funding") or {}
    total = sum(costs.values(), Decimal(0))
    amount = Decimal(str(requested.get("amount", "0")))
    share = f"{(amount / total * 100).quantize(Decimal('0.1'))}" if total else None
    return {"costs": costs, "total": total, "currency": requested.get("currency"), "requested": amount, "share": share}


@router.get("/checks/{check_id}", response_class=HTMLResponse)
async def check_page(request: Request, portal: PortalDep, _signed_in: RegionSession, check_id: int) -> Response:
    api = portal.api(request)
    history = await api.get(f"{ELIGIBILITY}/checks/{check_id}/history")
    if not history.ok:
        missing = {"title": N_("Not found"), "text": N_("This check is not one of your region's."), "detail": ""}
        return portal.page(request, "message.html", missing, history.status)
    check = history.body["check"]
    partner_answer, documents = await asyncio.gather(
        api.get(f"{ELIGIBILITY}/partners/{check['partner_id']}") if check.get("partner_id") else _nothing(),
        api.get(f"{INTAKE}/proposals/{check['proposal_id']}/documents", version=check["proposal_version"]),
    )
    partner = (partner_answer.body or {}).get("data", {}) if partner_answer.ok else {}
    language = portal.language_of(request)
    for decision in history.body["decisions"]:
        decision["when"] = format_when(datetime.fromisoformat(decision["at"]), "UTC", language)
    context: dict[str, Any] = {
        "title": N_("Check %(id)s: %(rule)s"),
        "title_args": {"id": check_id, "rule": portal.gettext(request, REGION_RULES.get(check["rule"], check["rule"]))},
        "check": check,
        "rule_name": REGION_RULES.get(check["rule"]),
        "decisions": history.body["decisions"],
        "partner": partner,
        "numbers": _numbers(partner) if partner else None,
        "documents": [
            d
            for d in ((documents.body or {}).get("documents", []) if documents.ok else [])
            if d.get("partner") in (None, partner.get("key"))
        ],
        "errors": {},
    }
    return portal.page(request, "officer/check.html", context)


async def _nothing() -> ApiAnswer:
    return ApiAnswer(404, None)


@router.get("/proposals/{proposal_id}/documents/{document_type}")
async def document(
    request: Request,
    portal: PortalDep,
    _signed_in: RegionSession,
    proposal_id: str,
    document_type: str,
    version: int | None = None,
    partner: str | None = None,
) -> Response:
    """A document of the proposal, as proposal_intake lets the region read (and audits) it."""
    path = f"{INTAKE}/proposals/{proposal_id}/documents/{document_type}/content"
    params = {k: v for k, v in {"version": version, "partner": partner}.items() if v is not None}
    upstream = await portal.api(request).stream("GET", path, params=params)
    if upstream.status_code != 200:
        await upstream.aclose()
        context = {"title": N_("Not found"), "text": N_("This document is not open to you."), "detail": ""}
        return portal.page(request, "message.html", context, upstream.status_code)
    headers = {
        name: upstream.headers[name]
        for name in ("content-disposition", "content-length", "etag", "x-content-type-options")
        if name in upstream.headers
    }
    headers["Cache-Control"] = "private, no-store"
    return StreamingResponse(
        upstream.aiter_bytes(),
        media_type=upstream.headers.get("content-type"),
        headers=headers,
        background=BackgroundTask(upstream.aclose),
    )


# The region's webhook subscriptions: list, add, the delivery log, resume, delete (after a confirmation).

WEBHOOKS = f"{ELIGIBILITY}/webhooks"


def _when(portal: Portal, request: Request, text: str | None) -> str:
    return format_when(datetime.fromisoformat(text), "UTC", portal.language_of(request)) if text else ""


async def _webhooks_page(
    portal: Portal, request: Request, *, errors: dict[str, str], values: dict[str, Any], status: int = 200
) -> Response:
    answer = await portal.api(request).get(WEBHOOKS, cursor=request.query_params.get("cursor"))
    items = answer.body.get("items", []) if answer.ok else []
    for item in items:
        item["created_when"] = _when(portal, request, item.get("created_at"))
    context = {
        "title": N_("Webhook subscriptions"),
        "items": [item for item in items if item["status"] != "deleted"],
        "next_cursor": answer.body.get("next_cursor") if answer.ok else None,
        "errors": errors,
        "values": values,
        "detail": None if answer.ok else answer.detail,
        "suggested_secret": secrets.token_urlsafe(32),
    }
    return portal.page(request, "officer/webhooks.html", context, status)


@router.get("/webhooks", response_class=HTMLResponse)
async def webhooks(request: Request, portal: PortalDep, _signed_in: RegionSession) -> Response:
    return await _webhooks_page(portal, request, errors={}, values={})


@router.post("/webhooks", response_class=HTMLResponse)
async def add_webhook(request: Request, portal: PortalDep, _signed_in: RegionSession) -> Response:
    form = await portal.form_of(request)
    body = {"url": str(form.get("url") or "").strip(), "secret": str(form.get("secret") or "")}
    answer = await portal.api(request).request("POST", WEBHOOKS, json=body)
    if answer.ok:
        # The secret is the officer's own: shown once more on the next page, to copy to the receiver.
        request.session["new_webhook_secret"] = {"id": answer.body["id"], "secret": body["secret"]}
        return RedirectResponse(f"/officer/webhooks/{answer.body['id']}?added=1", status_code=303)
    errors = answer.field_errors() or {"url": answer.detail}
    return await _webhooks_page(portal, request, errors=errors, values={"url": body["url"]}, status=422)


async def _webhook_context(portal: Portal, request: Request, subscription_id: str) -> tuple[ApiAnswer, dict[str, Any]]:
    api = portal.api(request)
    subscription, deliveries = await asyncio.gather(
        api.get(f"{WEBHOOKS}/{subscription_id}"),
        api.get(f"{WEBHOOKS}/{subscription_id}/deliveries", cursor=request.query_params.get("cursor")),
    )
    if not subscription.ok:
        return subscription, {}
    items = deliveries.body.get("items", []) if deliveries.ok else []
    for item in items:
        item["next_when"] = _when(portal, request, item.get("next_attempt_at"))
        item["delivered_when"] = _when(portal, request, item.get("delivered_at"))
    subscription.body["created_when"] = _when(portal, request, subscription.body.get("created_at"))
    subscription.body["suspended_when"] = _when(portal, request, subscription.body.get("suspended_at"))
    return subscription, {
        "title": N_("Webhook subscription"),
        "subscription": subscription.body,
        "deliveries": items,
        "next_cursor": deliveries.body.get("next_cursor") if deliveries.ok else None,
        "errors": {},
    }


def _no_webhook(portal: Portal, request: Request, answer: ApiAnswer) -> Response:
    context = {"title": N_("Not found"), "text": N_("This subscription is not one of your region's."), "detail": ""}
    return portal.page(request, "message.html", context, answer.status)


@router.get("/webhooks/{subscription_id}", response_class=HTMLResponse)
async def webhook(request: Request, portal: PortalDep, _signed_in: RegionSession, subscription_id: str) -> Response:
    answer, context = await _webhook_context(portal, request, subscription_id)
    if not answer.ok:
        return _no_webhook(portal, request, answer)
    shown = request.session.pop("new_webhook_secret", None)
    context["new_secret"] = shown["secret"] if shown and shown.get("id") == subscription_id else None
    return portal.page(request, "officer/webhook.html", context)


@router.post("/webhooks/{subscription_id}/resume", response_class=HTMLResponse)
async def resume_webhook(
    request: Request, portal: PortalDep, _signed_in: RegionSession, subscription_id: str
) -> Response:
    await portal.form_of(request)
    answer = await portal.api(request).request("POST", f"{WEBHOOKS}/{subscription_id}/resume")
    if answer.ok:
        return RedirectResponse(f"/officer/webhooks/{subscription_id}?resumed=1", status_code=303)
    found, context = await _webhook_context(portal, request, subscription_id)
    if not found.ok:
        return _no_webhook(portal, request, found)
    context["errors"] = {"": answer.detail}
    return portal.page(request, "officer/webhook.html", context, 409 if answer.status == 409 else 422)


@router.get("/webhooks/{subscription_id}/delete", response_class=HTMLResponse)
async def confirm_delete_webhook(
    request: Request, portal: PortalDep, _signed_in: RegionSession, subscription_id: str
) -> Response:
    answer = await portal.api(request).get(f"{WEBHOOKS}/{subscription_id}")
    if not answer.ok:
        return _no_webhook(portal, request, answer)
    context = {"title": N_("Delete this subscription?"), "subscription": answer.body, "errors": {}}
    return portal.page(request, "officer/webhook_delete.html", context)


@router.post("/webhooks/{subscription_id}/delete", response_class=HTMLResponse)
async def delete_webhook(
    request: Request, portal: PortalDep, _signed_in: RegionSession, subscription_id: str
) -> Response:
    await portal.form_of(request)
    answer = await portal.api(request).request("DELETE", f"{WEBHOOKS}/{subscription_id}")
    if answer.ok:
        return RedirectResponse("/officer/webhooks?deleted=1", status_code=303)
    return _no_webhook(portal, request, answer)
