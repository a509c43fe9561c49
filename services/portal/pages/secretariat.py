"""The call secretariat's call console (agency): the calls, a new call from its JSON configuration or the
Alpine example, a draft edited group by group (each API validation error shown at its group), publication,
amendments with their reason, and the version history with what changed between two versions."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..api_client import ApiAnswer
from ..call_diff import diff
from ..i18n import N_
from ..web import CALLS, AgencySession, Portal, PortalDep

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


@router.get("/calls/{call_id}/audit", response_class=HTMLResponse)
async def audit(
    request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str, who: str = "", what: str = ""
) -> Response:
    call = await _call(portal, request, call_id)
    answer = await portal.api(request).get(f"{CALLS}/calls/{call_id}/audit")
    if call is None or not answer.ok:
        return portal.message(request, N_("Not found"), N_("There is no such call."), 404)
    context = {
        "title": N_("Audit trail of call %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "entries": filtered_audit(answer.body, who, what),
        "filters": {"who": who, "what": what},
    }
    return portal.page(request, "secretariat/audit.html", context)
