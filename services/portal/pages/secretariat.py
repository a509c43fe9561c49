"""The call secretariat's call console (agency): the calls, a new call from its JSON configuration or the
Alpine example, a draft edited group by group (each API validation error shown at its group), publication,
amendments with their reason, the version history with what changed between two versions, the eligibility
overview (per region, and the consortium-level checks the agency decides itself) and the call's audit trail
across the services."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..api_client import ApiAnswer
from ..audit_merge import WHOLE, Fetched, decode_state, encode_state, merge
from ..call_diff import diff
from ..i18n import N_
from ..web import CALLS, ELIGIBILITY, EVALUATION, INTAKE, MONITORING, AgencySession, Portal, PortalDep

router = APIRouter(prefix="/secretariat")

# The text fields of a call, each its own input; the deeper parts of the configuration as one JSON editor per
# group, as the call is laid out (each region's annex has its own).
SCALARS = ("code", "title", "time_zone", "description")
GROUPS: dict[str, tuple[str, ...]] = {
    "timeline": ("stages", "eligibility_check_due", "evaluation_due", "decisions_due"),
    "scope": ("topics", "max_duration_months", "trl"),
    "consortium": ("consortium_rules", "ineligible_partner_policy"),
    "evaluation": ("evaluation", "funding"),
    "documents": ("documents",),
}
GROUP_NAMES = {
    "timeline": N_("Timeline"),
    "scope": N_("Scope"),
    "consortium": N_("Consortium rules"),
    "evaluation": N_("Evaluation and funding"),
    "documents": N_("Documents"),
}
_PATH = re.compile(r"^(?:body\.|configuration\.)?([A-Za-z_]+)(?:[.\[](\d+))?")


def field_of(path: str) -> str:
    """The form field an API error's path belongs to: `regions[2].funding_rates` -> `region-2`, `stages.0.x`
    -> `timeline`, `title` -> `title`; "" when it names no known part."""
    match = _PATH.match(path or "")
    if not match:
        return ""
    key, index = match.group(1), match.group(2)
    if key == "regions":
        return f"region-{index}" if index is not None else "regions"
    if key in SCALARS:
        return key
    return next((group for group, keys in GROUPS.items() if key in keys), "")


def errors_of(answer: ApiAnswer) -> dict[str, str]:
    """Each problem+json error at its field (several at one field joined), the detail when none names one."""
    errors: dict[str, str] = {}
    body = answer.body if isinstance(answer.body, dict) else {}
    for error in body.get("errors", []) or []:
        if isinstance(error, dict):
            path = str(error.get("field", ""))
            where = field_of(path)
            text = f"{path}: {error.get('message', '')}" if path else str(error.get("message", ""))
            errors[where] = f"{errors[where]}; {text}" if where in errors else text
    return errors or {"": answer.detail or f"HTTP {answer.status}"}


def form_values(configuration: dict[str, Any]) -> dict[str, str]:
    """A configuration as the edit form shows it: text fields, one JSON text per group and per region."""
    values = {key: str(configuration.get(key) or "") for key in SCALARS}
    for group, keys in GROUPS.items():
        part = {key: configuration[key] for key in keys if key in configuration}
        values[group] = json.dumps(part, indent=2, ensure_ascii=False)
    for index, region in enumerate(configuration.get("regions") or []):
        values[f"region-{index}"] = json.dumps(region, indent=2, ensure_ascii=False)
    values["regions"] = str(len(configuration.get("regions") or []))
    return values


def configuration_of(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The configuration the edit form describes, and the groups whose JSON does not parse."""
    configuration: dict[str, Any] = {key: form.get(key) or "" for key in SCALARS}
    problems: dict[str, str] = {}
    for group in GROUPS:
        part = _parsed(form.get(group), group, problems)
        if isinstance(part, dict):
            configuration.update(part)
    regions = []
    for index in range(int(form.get("regions") or 0)):
        regions.append(_parsed(form.get(f"region-{index}"), f"region-{index}", problems))
    configuration["regions"] = regions
    return configuration, problems


def _parsed(text: Any, field: str, problems: dict[str, str]) -> Any:
    try:
        return json.loads(str(text or "{}"))
    except json.JSONDecodeError as error:
        problems[field] = f"JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        return None


def _edit_context(call: dict[str, Any], values: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    regions = [
        {"field": f"region-{index}", "code": region.get("code", index) if isinstance(region, dict) else index}
        for index, region in enumerate(call["configuration"].get("regions") or [])
    ]
    return {
        "title": N_("Call %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "values": values,
        "errors": errors,
        "groups": GROUP_NAMES,
        "regions": regions,
    }


@router.get("/calls", response_class=HTMLResponse)
async def calls(request: Request, portal: PortalDep, _signed_in: AgencySession, cursor: str | None = None) -> Response:
    answer = await portal.api(request).get(f"{CALLS}/calls/all", cursor=cursor)
    context = {
        "title": N_("Calls"),
        "items": answer.body.get("items", []) if answer.ok else [],
        "next_cursor": answer.body.get("next_cursor") if answer.ok else None,
        "errors": {} if answer.ok else {"": answer.detail},
    }
    return portal.page(request, "secretariat/calls.html", context)


def _new_page(portal: Portal, request: Request, text: str, errors: dict[str, str], status: int = 200) -> Response:
    return portal.page(
        request, "secretariat/new.html", {"title": N_("New call"), "text": text, "errors": errors}, status
    )


@router.get("/calls/new", response_class=HTMLResponse)
async def new_call(request: Request, portal: PortalDep, _signed_in: AgencySession, example: str = "") -> Response:
    text = ""
    if example == "alpine":  # the example as call_definition ships it, asked for like any other data
        answer = await portal.api(request).get(f"{CALLS}/calls/examples/alpine")
        text = json.dumps(answer.body, indent=2, ensure_ascii=False) if answer.ok else ""
    return _new_page(portal, request, text, {})


@router.post("/calls", response_class=HTMLResponse)
async def create(request: Request, portal: PortalDep, _signed_in: AgencySession) -> Response:
    form = await portal.form_of(request)
    text = str(form.get("configuration") or "")
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        uploaded = (await upload.read()).decode("utf-8", errors="replace")
        text = uploaded or text
    try:
        configuration = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        return _new_page(portal, request, text, {"configuration": message}, 422)
    answer = await portal.api(request).request("POST", f"{CALLS}/calls", json=configuration)
    if answer.ok:
        return RedirectResponse(f"/secretariat/calls/{answer.body['id']}?created=1", status_code=303)
    listed = "; ".join(errors_of(answer).values())  # every error of the configuration, at its one field
    return _new_page(portal, request, text, {"configuration": listed}, 422)


async def _call(portal: Portal, request: Request, call_id: str) -> dict[str, Any] | None:
    answer = await portal.api(request).get(f"{CALLS}/calls/{call_id}")
    return answer.body if answer.ok else None


@router.get("/calls/{call_id}", response_class=HTMLResponse)
async def call_page(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    call = await _call(portal, request, call_id)
    if call is None:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    return portal.page(request, "secretariat/call.html", _edit_context(call, form_values(call["configuration"]), {}))


@router.post("/calls/{call_id}", response_class=HTMLResponse)
async def save_draft(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    form = await portal.form_of(request)
    call = await _call(portal, request, call_id)
    if call is None:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    configuration, problems = configuration_of(form)
    values = {key: str(value or "") for key, value in form.items() if key != "csrf_token"}
    if problems:
        return portal.page(request, "secretariat/call.html", _edit_context(call, values, problems), 422)
    headers = {"If-Match": f'"{form.get("etag") or ""}"'}  # the revision the form was shown at
    answer = await portal.api(request).request("PUT", f"{CALLS}/calls/{call_id}", json=configuration, headers=headers)
    if answer.ok:
        return RedirectResponse(f"/secretariat/calls/{call_id}?saved=1", status_code=303)
    return portal.page(request, "secretariat/call.html", _edit_context(call, values, errors_of(answer)), 422)


@router.post("/calls/{call_id}/publish", response_class=HTMLResponse)
async def publish(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    await portal.form_of(request)
    answer = await portal.api(request).request("POST", f"{CALLS}/calls/{call_id}/publish")
    if answer.ok:
        return RedirectResponse(f"/secretariat/calls/{call_id}?published=1", status_code=303)
    call = await _call(portal, request, call_id)
    if call is None:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    context = _edit_context(call, form_values(call["configuration"]), errors_of(answer))
    return portal.page(request, "secretariat/call.html", context, 422)


AMENDMENT_FIELDS = {
    "deadline_extension": ("deadline",),
    "budget_top_up": ("region", "amount"),
    "text_correction": ("title", "description"),
}


@router.post("/calls/{call_id}/amendments", response_class=HTMLResponse)
async def amend(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    form = await portal.form_of(request)
    kind = str(form.get("kind") or "")
    body: dict[str, Any] = {"kind": kind, "reason": form.get("amend-reason") or ""}
    for field in AMENDMENT_FIELDS.get(kind, ()):
        if form.get(f"amend-{field}"):
            body[field] = form.get(f"amend-{field}")
    answer = await portal.api(request).request("POST", f"{CALLS}/calls/{call_id}/amendments", json=body)
    if answer.ok:
        return RedirectResponse(f"/secretariat/calls/{call_id}?amended=1", status_code=303)
    call = await _call(portal, request, call_id)
    if call is None:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    errors = {f"amend-{field}" if field else "": message for field, message in answer.field_errors().items()}
    context = _edit_context(call, form_values(call["configuration"]), errors or {"": answer.detail})
    context["values"].update({key: str(value or "") for key, value in form.items() if key != "csrf_token"})
    return portal.page(request, "secretariat/call.html", context, 422)


@router.get("/calls/{call_id}/versions", response_class=HTMLResponse)
async def versions(
    request: Request,
    portal: PortalDep,
    _signed_in: AgencySession,
    call_id: str,
    older: int | None = None,
    newer: int | None = None,
) -> Response:
    call = await _call(portal, request, call_id)
    answer = await portal.api(request).get(f"{CALLS}/calls/{call_id}/versions")
    if call is None or not answer.ok:
        return portal.message(request, N_("Not found"), N_("The call has no published version yet."), 404)
    history: list[dict[str, Any]] = answer.body
    numbers = [v["version"] for v in history]
    newer = newer if newer in numbers else numbers[-1]
    older = older if older in numbers else max([n for n in numbers if n < newer] or [newer])
    by_number = {v["version"]: v for v in history}
    changes = diff(by_number[older]["configuration"], by_number[newer]["configuration"])
    context = {
        "title": N_("Versions of call %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "history": history,
        "older": older,
        "newer": newer,
        "changes": changes,
    }
    return portal.page(request, "secretariat/versions.html", context)


def filtered_audit(entries: list[dict[str, Any]], who: str = "", what: str = "") -> list[dict[str, Any]]:
    """The entries whose actor contains `who` and whose action contains `what` (case ignored), newest first."""
    kept = [
        entry
        for entry in entries
        if who.lower() in str(entry.get("actor", "")).lower() and what.lower() in str(entry.get("action", "")).lower()
    ]
    return sorted(kept, key=lambda entry: str(entry.get("at", "")), reverse=True)


# The services whose audit trail of a call the page merges: each one's path prefix and its name on the page.
AUDIT_SOURCES: dict[str, tuple[str, str]] = {
    "call_definition": (CALLS, N_("Call definition")),
    "proposal_intake": (INTAKE, N_("Proposals")),
    "regional_eligibility": (ELIGIBILITY, N_("Eligibility")),
    "joint_evaluation": (EVALUATION, N_("Evaluation and funding")),
    "project_monitoring": (MONITORING, N_("Monitoring")),
}
AUDIT_PAGE = 50


async def _trail_of(
    portal: Portal, request: Request, call_id: str, service: str, state: Any, who: str, what: str
) -> tuple[Fetched, bool]:
    """One service's part of the page (its entries from where the state says) and whether it answered."""
    prefix = AUDIT_SOURCES[service][0]
    api = portal.api(request)
    if service == WHOLE:  # the whole trail, filtered here as before
        answer = await api.get(f"{prefix}/calls/{call_id}/audit")
        offset = state if isinstance(state, int) else 0
        entries = filtered_audit(answer.body, who, what) if answer.ok else []
        return Fetched(service, entries[offset:], offset=offset), answer.ok or answer.status == 404
    cursor = state if isinstance(state, str) else None
    answer = await api.get(f"{prefix}/calls/{call_id}/audit", actor=who, action=what, cursor=cursor, limit=AUDIT_PAGE)
    if not answer.ok:  # a 404: the service has not heard of the call (a draft): nothing of it there
        return Fetched(service, []), answer.status == 404
    return Fetched(service, answer.body["items"], answer.body.get("next_cursor")), True


@router.get("/calls/{call_id}/audit", response_class=HTMLResponse)
async def audit(
    request: Request,
    portal: PortalDep,
    _signed_in: AgencySession,
    call_id: str,
    who: str = "",
    what: str = "",
    service: str = "",
    cursor: str | None = None,
) -> Response:
    call = await _call(portal, request, call_id)
    if call is None:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    services = [service] if service in AUDIT_SOURCES else list(AUDIT_SOURCES)
    state = decode_state(cursor)
    wanted = [name for name in services if state.get(name) is not False]  # False: that service has no more
    parts = await asyncio.gather(*(_trail_of(portal, request, call_id, n, state.get(n), who, what) for n in wanted))
    entries, following = merge([fetched for fetched, _ in parts], state, AUDIT_PAGE)
    filters = {"who": who, "what": what, "service": service if service in AUDIT_SOURCES else ""}
    context = {
        "title": N_("Audit trail of call %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "entries": entries,
        "filters": filters,
        "sources": {name: label for name, (_, label) in AUDIT_SOURCES.items()},
        "unread": [AUDIT_SOURCES[fetched.service][1] for fetched, answered in parts if not answered],
        "next_cursor": encode_state(following) if following is not None else None,
        "first_page": bool(cursor),
    }
    return portal.page(request, "secretariat/audit.html", context)


# The eligibility overview: per region, the checks open, decided and overdue; the consortium-level checks, which
# the agency decides itself (regional_eligibility lets an agency list, read and decide those, and only those).

CONSORTIUM = "consortium"


def eligibility_rows(
    progress: list[dict[str, Any]], regions: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One row per region of the call (in the call's order, those with no checks yet at zero), then the
    consortium-level row; and the totals of every column."""
    by_code = {row["region_code"]: row for row in progress}
    rows = []
    for code, name in [(r.get("code", ""), r.get("name", "")) for r in regions] + [(CONSORTIUM, "")]:
        counts = by_code.pop(code, {})
        rows.append({"code": code, "name": name, **_counts(counts)})
    rows += [{"code": code, "name": "", **_counts(counts)} for code, counts in sorted(by_code.items())]
    totals = {key: sum(row[key] for row in rows) for key in ("checks", "pending", "decided", "overdue")}
    return rows, totals


def _counts(row: dict[str, Any]) -> dict[str, int]:
    return {key: int(row.get(key, 0)) for key in ("checks", "pending", "decided", "overdue")}


@router.get("/calls/{call_id}/eligibility", response_class=HTMLResponse)
async def eligibility(
    request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str, cursor: str | None = None
) -> Response:
    call = await _call(portal, request, call_id)
    if call is None:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    api = portal.api(request)
    overview, waiting = await asyncio.gather(
        api.get(f"{ELIGIBILITY}/calls/{call_id}/overview"),
        api.get(f"{ELIGIBILITY}/checks", call_id=call_id, status="open", cursor=cursor),
    )
    rows, totals = eligibility_rows(overview.body if overview.ok else [], call["configuration"].get("regions") or [])
    consortium = next(row for row in rows if row["code"] == CONSORTIUM)
    context = {
        "title": N_("Eligibility of call %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "known": overview.ok,  # regional_eligibility knows the call (published) and has counted its checks
        "rows": rows,
        "totals": totals,
        "waiting": waiting.body.get("items", []) if waiting.ok else [],
        "waiting_overdue": consortium["overdue"] > 0,
        "next_cursor": waiting.body.get("next_cursor") if waiting.ok else None,
        "decided": request.query_params.get("decided"),
    }
    return portal.page(request, "secretariat/eligibility.html", context)


async def _check_context(
    portal: Portal, request: Request, check_id: int, errors: dict[str, str], values: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """The consortium-level check's page: the check, its proposal and its decision history (404 for a check
    that is not the agency's to decide)."""
    api = portal.api(request)
    history = await api.get(f"{ELIGIBILITY}/checks/{check_id}/history")
    if not history.ok:
        return history.status, {}
    check = history.body["check"]
    case = await api.get(f"{ELIGIBILITY}/proposals/{check['proposal_id']}")
    return 200, {
        "title": N_("Consortium-level check %(id)s"),
        "title_args": {"id": check_id},
        "check": check,
        "case": case.body if case.ok else None,
        "decisions": history.body["decisions"],
        "errors": errors,
        "values": values,
    }


@router.get("/checks/{check_id}", response_class=HTMLResponse)
async def check_page(request: Request, portal: PortalDep, _signed_in: AgencySession, check_id: int) -> Response:
    status, context = await _check_context(portal, request, check_id, {}, {})
    if status != 200:
        return portal.message(request, N_("Not found"), N_("This check is not one the agency decides."), status)
    return portal.page(request, "secretariat/check.html", context)


@router.post("/checks/{check_id}/decision", response_class=HTMLResponse)
async def decide_check(request: Request, portal: PortalDep, _signed_in: AgencySession, check_id: int) -> Response:
    form = await portal.form_of(request)
    body: dict[str, Any] = {"action": form.get("action"), "reason": form.get("reason") or ""}
    if form.get("verdict"):
        body["verdict"] = form.get("verdict")
    answer = await portal.api(request).request("POST", f"{ELIGIBILITY}/checks/{check_id}/decision", json=body)
    if answer.ok:
        case = await portal.api(request).get(f"{ELIGIBILITY}/proposals/{answer.body['proposal_id']}")
        if case.ok:
            return RedirectResponse(f"/secretariat/calls/{case.body['call_id']}/eligibility?decided=1", 303)
        return RedirectResponse(f"/secretariat/checks/{check_id}?decided=1", status_code=303)
    errors = answer.field_errors() or {"": answer.detail}
    status, context = await _check_context(portal, request, check_id, errors, form)
    if status != 200:
        return portal.message(request, N_("Not found"), N_("This check is not one the agency decides."), status)
    return portal.page(request, "secretariat/check.html", context, 409 if answer.status == 409 else 422)
