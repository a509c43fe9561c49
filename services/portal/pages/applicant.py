"""The applicants' pages: the open and upcoming calls (public: each call's timeline, regions' rules and evaluation
criteria), and for a signed-in consortium its proposals, the proposal form with the live pre-check beside it, the
documents, the submission with its receipt (as a page, JSON and PDF), resubmission, withdrawal and the versions.

The portal decides nothing: the form is sent to proposal_intake as the draft it is, and what the pages say about
rules, gaps and the deadline is what the service's pre-check, refusals and receipts say."""

from __future__ import annotations

import io
import json
import unicodedata
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from ..api_client import ApiAnswer
from ..i18n import N_, format_when
from ..web import CALLS, ELIGIBILITY, EVALUATION, INTAKE, ConsortiumSession, Portal, PortalDep

router = APIRouter()

# The cost categories the form offers for every partner (a draft's other categories are kept and shown too).
COST_CATEGORIES = ("personnel", "equipment", "subcontracting", "travel", "other")
PARTNER_FIELDS = ("key", "organisation_name", "legal_id", "country", "region_code", "organisation_type", "role")
UPLOAD_CHUNK = 64 * 1024
PDF_TITLE = N_("jointcall: receipt of submission")
PDF_LABELS = {
    "proposal": N_("Proposal"),
    "version": N_("Version"),
    "received": N_("Received (server time, UTC)"),
    "by": N_("Submitted by"),
    "sha256": N_("Content SHA-256"),
    "documents": N_("Documents"),
    "warnings": N_("Warnings"),
}


# --- pure helpers: what the pages show ---------------------------------------------------------------------


def countdown(deadline: datetime, now: datetime) -> dict[str, int] | None:
    """Days and hours left until the deadline (None once it has passed), for "closes in 3 days 4 hours"."""
    left = deadline - now
    if left.total_seconds() <= 0:
        return None
    hours = int(left.total_seconds() // 3600)
    return {"days": hours // 24, "hours": hours % 24, "minutes": int(left.total_seconds() // 60) % 60}


def timeline(call: dict[str, Any], language: str) -> list[dict[str, str]]:
    """The call's dates in its own time zone, the zone named, in order."""
    config = call.get("configuration") or {}
    zone = config.get("time_zone")
    rows = []
    for stage in config.get("stages", []):
        rows.append({"what": "opens", "stage": stage.get("name", ""), "when": stage["opens"]})
        rows.append({"what": "deadline", "stage": stage.get("name", ""), "when": stage["deadline"]})
    for key in ("eligibility_check_due", "evaluation_due", "decisions_due"):
        if config.get(key):
            rows.append({"what": key, "stage": "", "when": config[key]})
    return [{**row, "when": format_when(datetime.fromisoformat(row["when"]), zone, language)} for row in rows]


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def draft_of_form(form: dict[str, Any]) -> dict[str, Any]:
    """The proposal form as the draft proposal_intake takes: empty fields left out (a draft may be incomplete),
    every value sent as typed so the service judges it (and says so at the field)."""
    draft: dict[str, Any] = {
        "acronym": _text(form.get("acronym")),
        "title": _text(form.get("title")),
        "abstract": _text(form.get("abstract")),
        "s3_areas": [area for area in form.get("s3_areas") or [] if _text(area)],
        "trl": _text(form.get("trl")),
        "duration_months": _text(form.get("duration_months")),
        "partners": [],
    }
    count = int(form.get("partner_count") or 0) if str(form.get("partner_count") or "0").isdigit() else 0
    for number in range(min(count, 30)):
        prefix = f"partners-{number}-"
        partner: dict[str, Any] = {name: _text(form.get(prefix + name)) for name in PARTNER_FIELDS}
        partner["role"] = partner["role"] or "partner"
        partner["is_sme"] = form.get(prefix + "is_sme") == "yes"
        contact = {"name": _text(form.get(prefix + "contact-name")), "email": _text(form.get(prefix + "contact-email"))}
        if contact["name"] or contact["email"]:
            partner["contact"] = contact
        partner["currency"] = _text(form.get(prefix + "currency"))
        categories = [key[len(prefix + "budget-") :] for key in form if key.startswith(prefix + "budget-")]
        partner["budget"] = {c: v for c in categories if (v := _text(form.get(prefix + "budget-" + c))) is not None}
        partner["requested_funding"] = _text(form.get(prefix + "requested_funding"))
        draft["partners"].append({k: v for k, v in partner.items() if v is not None})
    return {k: v for k, v in draft.items() if v is not None}


def field_errors(answer: ApiAnswer) -> dict[str, str]:
    """problem+json `errors[].field` (a dotted path, "partners.1.country") -> the form field's id
    ("partners-1-country"); the problem's detail at the top when no field is named."""
    errors: dict[str, str] = {}
    body = answer.body if isinstance(answer.body, dict) else {}
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            field = str(error.get("field") or "").removeprefix("body.").replace(".", "-")
            errors.setdefault(field, str(error.get("message", "")))
    return errors or {"": answer.detail or str(body.get("title", ""))}


def refused_fields(answer: ApiAnswer) -> list[dict[str, Any]]:
    """A refused save's field errors as the pre-check's gaps are shown (each named and linked to its field)."""
    body = answer.body if isinstance(answer.body, dict) else {}
    errors = [
        {"field": str(e.get("field") or "").removeprefix("body."), "message": str(e.get("message", ""))}
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return gaps({"missing": errors}) if errors else [{"id": "", "partner": None, "name": "", "message": answer.detail}]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def over_by(details: dict[str, Any]) -> Decimal | None:
    """How much a request exceeds its limit (a rate's or a maximum), from a verdict's numbers; None without them."""
    requested, cap = _decimal(details.get("requested")), _decimal(details.get("limit") or details.get("maximum"))
    return requested - cap if requested is not None and cap is not None else None


def outcome_shown(outcome: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The eligibility outcome as regional_eligibility gives it to the consortium, with what the page words it by:
    each partner's region by name, and each reason's currency (its region's) and how much too much."""
    regions = {r["code"]: r for r in config.get("regions") or []}
    reporting = (config.get("funding") or {}).get("reporting_currency") or "EUR"

    def party(one: dict[str, Any]) -> dict[str, Any]:
        region = regions.get(one["region_code"], {})
        return {
            **one,
            "region_name": region.get("name") or "",
            "reasons": [reason(r) for r in one.get("reasons") or []],
            "pending": [reason(r) for r in one.get("pending") or []],
        }

    def reason(one: dict[str, Any]) -> dict[str, Any]:
        currency = regions.get(one["region_code"], {}).get("currency") or reporting
        return {**one, "currency": currency, "over": over_by(one.get("details") or {})}

    return {
        **outcome,
        "partners": [party(p) for p in outcome.get("partners") or []],
        "consortium": party(outcome["consortium"]),
    }


def findings(precheck: dict[str, Any], draft: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rule the draft breaks or leaves to an officer, by partner and region, with the numbers the page
    puts in words (how much too much), the service's own sentence kept for the rules the page does not word."""
    report = precheck.get("report") or {}
    names = {p.get("key"): p.get("organisation_name") or p.get("key") for p in draft.get("partners", [])}
    currencies = {p.get("key"): p.get("currency") for p in draft.get("partners", [])}
    regions = {r["code"]: r for r in (precheck.get("requirements") or {}).get("regions", [])}
    found = []
    verdicts = [("consortium", v) for v in report.get("consortium", [])]
    for code, region in (report.get("regions") or {}).items():
        verdicts += [(code, v) for v in region.get("region", [])]
        verdicts += [(code, v) for partner in (region.get("partners") or {}).values() for v in partner]
    for code, verdict in verdicts:
        if verdict["outcome"] == "pass":
            continue
        details = dict(verdict.get("details") or {})
        region = regions.get(verdict.get("region_code") or code, {})
        currency = currencies.get(verdict.get("partner_id")) or region.get("currency") or "EUR"
        over = over_by(details)
        found.append(
            {
                "rule": verdict["rule"],
                "outcome": verdict["outcome"],
                "reason": verdict["reason"],
                "partner": names.get(verdict.get("partner_id")) if verdict.get("partner_id") else None,
                "region": "" if code == "consortium" else region.get("name") or verdict.get("region_code") or "",
                "consortium": code == "consortium",
                "currency": currency,
                "details": details,
                "over": over,
            }
        )
    return found


def gaps(precheck: dict[str, Any]) -> list[dict[str, Any]]:
    """What the pre-check says is still missing, each pointing at its form field: the field's id, the partner's
    number (1-based) and the field's name, for the page to name it in the person's language."""
    shown = []
    for gap in precheck.get("missing") or []:
        parts = str(gap.get("field") or "").split(".")
        if parts[0] == "documents" and len(parts) > 1:
            target = f"doc-{parts[1]}-{parts[2] if len(parts) > 2 else 'proposal'}"
            shown.append({"id": target, "partner": None, "name": "document", "message": gap["message"]})
            continue
        partner = int(parts[1]) + 1 if parts[0] == "partners" and len(parts) > 2 and parts[1].isdigit() else None
        shown.append(
            {
                "id": "-".join(parts),
                "partner": partner,
                "name": parts[-1] if partner or len(parts) == 1 else parts[0],
                "message": gap["message"],
                "required": gap["message"] == "required for submission",
            }
        )
    return shown


def receipt_of(proposal_id: str, version: dict[str, Any]) -> dict[str, Any]:
    """The receipt of one submitted version as the consortium keeps it: what was hashed, and the hash."""
    content = version.get("content") or {}
    return {
        "proposal_id": proposal_id,
        "version": version["version"],
        "received_at": version["submitted_at"],
        "submitted_by": version.get("submitted_by"),
        "content_sha256": version["content_sha256"],
        "acronym": content.get("acronym"),
        "title": content.get("title"),
        "documents": content.get("documents") or [],
        "warnings": version.get("warnings") or [],
    }


def _pdf_text(text: str) -> str:
    """The text in the PDF font's encoding (Windows-1252; a letter it lacks, such as č, loses its accent),
    escaped for a PDF string."""
    kept = "".join(c if c.encode("cp1252", "ignore") else unicodedata.normalize("NFKD", c)[0] for c in text)
    return kept.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def receipt_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of the receipt's lines (Helvetica, A4), written with pypdf (already a dependency)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    text = ["BT /F1 10 Tf 14 TL 50 790 Td"]
    for number, line in enumerate(lines[:52]):
        if number == 0:
            text.append(f"/F1 14 Tf ({_pdf_text(line)}) Tj /F1 10 Tf T* T*")
        else:
            text.append(f"({_pdf_text(line)}) Tj T*")
    text.append("ET")
    content = DecodedStreamObject()
    content.set_data("\n".join(text).encode("cp1252", "replace"))
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- public pages: the calls ---------------------------------------------------------------------------------


def _with_countdown(call: dict[str, Any], now: datetime, language: str) -> dict[str, Any]:
    zone = (call.get("configuration") or {}).get("time_zone")
    deadline = datetime.fromisoformat(call["deadline"])
    return {
        **call,
        "left": countdown(deadline, now),
        "deadline_text": format_when(deadline, zone, language),
        "opens_text": format_when(datetime.fromisoformat(call["opens_at"]), zone, language),
    }


@router.get("/calls", response_class=HTMLResponse)
async def calls_page(request: Request, portal: PortalDep, cursor: str | None = None) -> Response:
    answer = await portal.api(request).get(f"{CALLS}/calls", cursor=cursor)
    now, language = datetime.now(UTC), portal.language_of(request)
    items = [_with_countdown(call, now, language) for call in answer.body.get("items", [])] if answer.ok else []
    context = {
        "title": N_("Open and upcoming calls"),
        "items": items,
        "next_cursor": answer.body.get("next_cursor") if answer.ok else None,
    }
    return portal.page(request, "applicant/calls.html", context)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
async def call_page(request: Request, portal: PortalDep, call_id: uuid.UUID) -> Response:
    api = portal.api(request)
    call = await api.get(f"{CALLS}/calls/{call_id}")
    if not call.ok:
        missing = {"title": N_("Not found"), "text": N_("There is no published call here."), "detail": call.detail}
        return portal.page(request, "message.html", missing, 404)
    requirements = await api.get(f"{INTAKE}/calls/{call_id}/requirements")
    language = portal.language_of(request)
    config = call.body["configuration"]
    context = {
        "title": N_("Call %(code)s"),
        "title_args": {"code": call.body["code"]},
        "call": _with_countdown(call.body, datetime.now(UTC), language),
        "config": config,
        "timeline": timeline(call.body, language),
        "requirements": requirements.body if requirements.ok else None,
        "budgets": {region["code"]: region.get("budget") for region in config.get("regions", [])},
        "documents": config.get("documents") or [],
    }
    return portal.page(request, "applicant/call.html", context)


# --- the consortium's pages -----------------------------------------------------------------------------------


@router.get("/consortium", response_class=HTMLResponse)
async def my_proposals(request: Request, portal: PortalDep, _signed_in: ConsortiumSession) -> Response:
    """The consortium's proposals, call by call (the open and upcoming calls, each with its own proposals)."""
    api = portal.api(request)
    calls = await api.get(f"{CALLS}/calls")
    now, language = datetime.now(UTC), portal.language_of(request)
    entries = []
    for call in calls.body.get("items", []) if calls.ok else []:
        mine = await api.get(f"{INTAKE}/calls/{call['id']}/proposals")
        entries.append(
            {"call": _with_countdown(call, now, language), "proposals": mine.body.get("items", []) if mine.ok else []}
        )
    context = {"title": N_("My proposals"), "entries": entries, "errors": {}}
    return portal.page(request, "applicant/proposals.html", context)


@router.post("/consortium/calls/{call_id}/proposals", response_class=HTMLResponse)
async def new_draft(request: Request, portal: PortalDep, _signed_in: ConsortiumSession, call_id: uuid.UUID) -> Response:
    form = await portal.form_of(request)
    body = {"acronym": acronym} if (acronym := _text(form.get("acronym"))) else {}
    answer = await portal.api(request).request("POST", f"{INTAKE}/calls/{call_id}/proposals", json=body)
    if answer.ok:
        return RedirectResponse(f"/consortium/proposals/{answer.body['id']}", status_code=303)
    text = N_("The draft could not be started.")
    return portal.page(
        request, "message.html", {"title": N_("Not started"), "text": text, "detail": answer.detail}, answer.status
    )


async def _form_context(
    portal: Portal, request: Request, proposal_id: str, proposal: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Everything the proposal form shows: the proposal, its call, the pre-check, documents and versions."""
    api = portal.api(request)
    if proposal is None:
        answer = await api.get(f"{INTAKE}/proposals/{proposal_id}")
        if not answer.ok:
            return None
        proposal = answer.body
    assert proposal is not None
    call = await api.get(f"{CALLS}/calls/{proposal['call_id']}")
    precheck = await api.get(f"{INTAKE}/proposals/{proposal_id}/precheck")
    documents = await api.get(f"{INTAKE}/proposals/{proposal_id}/documents")
    versions = await api.get(f"{INTAKE}/proposals/{proposal_id}/versions")
    config = call.body.get("configuration", {}) if call.ok else {}
    checked = precheck.body if precheck.ok else {}
    server_time = datetime.fromisoformat(checked["server_time"]) if checked.get("server_time") else datetime.now(UTC)
    deadline = datetime.fromisoformat(call.body["deadline"]) if call.ok else server_time
    language = portal.language_of(request)
    return {
        "proposal": proposal,
        "values": proposal["draft"],
        "call": _with_countdown(call.body, server_time, language) if call.ok else {},
        "config": config,
        "precheck": checked,
        "findings": findings(checked, proposal["draft"]),
        "gaps": gaps(checked),
        "closed": server_time >= deadline,
        "documents": documents.body.get("documents", []) if documents.ok else [],
        "versions": versions.body if versions.ok else [],
        "zone": config.get("time_zone"),
        "categories": COST_CATEGORIES,
        "doc_names": {kind["key"]: kind["name"] for kind in config.get("documents") or []},
        "errors": {},
        "document_errors": {},
    }


def _versions_shown(context: dict[str, Any], language: str) -> None:
    for version in context["versions"]:
        version["when"] = format_when(datetime.fromisoformat(version["submitted_at"]), context["zone"], language)


def _not_yours(portal: Portal, request: Request) -> Response:
    context = {"title": N_("Not found"), "text": N_("This proposal is not open to you.")}
    return portal.page(request, "message.html", context, 404)


@router.get("/consortium/proposals/{proposal_id}", response_class=HTMLResponse)
async def proposal_form(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    context = await _form_context(portal, request, str(proposal_id))
    if context is None:
        return _not_yours(portal, request)
    _versions_shown(context, portal.language_of(request))
    context.update(title=N_("Proposal %(acronym)s"), title_args={"acronym": context["values"].get("acronym") or "-"})
    if context["proposal"].get("current_version"):
        context.update(await _after_submission(portal, request, str(proposal_id), context["config"]))
    return portal.page(request, "applicant/proposal.html", context)


async def _after_submission(
    portal: Portal, request: Request, proposal_id: str, config: dict[str, Any]
) -> dict[str, Any]:
    """The eligibility outcome once regional_eligibility knows the submission, and the proposal's result once the
    call's results are published (each a 404 before: nothing to show yet)."""
    api = portal.api(request)
    outcome = await api.get(f"{ELIGIBILITY}/proposals/{proposal_id}/outcome")
    result = await api.get(f"{EVALUATION}/proposals/{proposal_id}/result")
    return {
        "outcome": outcome_shown(outcome.body, config) if outcome.ok else None,
        "result": result.body if result.ok else None,
    }


async def _save(
    portal: Portal, request: Request, proposal_id: str, form: dict[str, Any]
) -> tuple[ApiAnswer, dict[str, Any]]:
    draft = draft_of_form(form)
    answer = await portal.api(request).request(
        "PUT", f"{INTAKE}/proposals/{proposal_id}", json=draft, headers={"If-Match": f'"{form.get("revision")}"'}
    )
    return answer, draft


FORM_LISTS = ("s3_areas",)


@router.post("/consortium/proposals/{proposal_id}", response_class=HTMLResponse)
async def save_draft(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    """Save the draft; "add a partner" and "remove this partner" save it too, then show the form again."""
    form = await portal.form_of(request, FORM_LISTS)
    action = str(form.get("action") or "save")
    count = int(form["partner_count"]) if str(form.get("partner_count") or "").isdigit() else 0
    if action.startswith("remove:") and action[7:].isdigit() and int(action[7:]) < count:
        form = _without_partner(form, int(action[7:]), count)
    answer, draft = await _save(portal, request, str(proposal_id), form)
    if answer.ok and action == "save":
        return RedirectResponse(f"/consortium/proposals/{proposal_id}?saved=1", status_code=303)
    context = await _form_context(portal, request, str(proposal_id), answer.body if answer.ok else None)
    if context is None:
        return _not_yours(portal, request)
    _versions_shown(context, portal.language_of(request))
    values = answer.body["draft"] if answer.ok else {**draft, "partners": draft.get("partners", [])}
    if action == "add_partner":
        values = {**values, "partners": [*values.get("partners", []), {"role": "partner", "budget": {}}]}
    context.update(
        values=values,
        title=N_("Proposal %(acronym)s"),
        title_args={"acronym": values.get("acronym") or "-"},
        added=action == "add_partner",
    )
    if not answer.ok:
        if answer.status == 412:
            context["errors"] = {
                "": portal.gettext(
                    request, N_("Someone changed this draft since you opened it. Open it again to see their changes.")
                )
            }
        else:
            context["errors"] = field_errors(answer)
        return portal.page(request, "applicant/proposal.html", context, answer.status)
    return portal.page(request, "applicant/proposal.html", context)


def _without_partner(form: dict[str, Any], removed: int, count: int) -> dict[str, Any]:
    """The form with partner row `removed` taken out and the rows after it moved up one."""
    kept = {k: v for k, v in form.items() if not k.startswith("partners-")}
    for number in range(count):
        if number == removed:
            continue
        target = number if number < removed else number - 1
        prefix = f"partners-{number}-"
        kept.update({f"partners-{target}-{k[len(prefix) :]}": v for k, v in form.items() if k.startswith(prefix)})
    kept["partner_count"] = str(max(count - 1, 0))
    return kept


@router.post("/consortium/proposals/{proposal_id}/precheck", response_class=HTMLResponse)
async def live_precheck(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    """htmx, on every change of the form: save the draft, then the service's pre-check of it as a fragment
    (with the draft's new revision, swapped into the form out of band)."""
    form = await portal.form_of(request, FORM_LISTS)
    answer, draft = await _save(portal, request, str(proposal_id), form)
    api = portal.api(request)
    precheck = await api.get(f"{INTAKE}/proposals/{proposal_id}/precheck")
    checked = precheck.body if precheck.ok else {}
    context = {
        "precheck": checked,
        "findings": findings(checked, answer.body["draft"] if answer.ok else draft),
        "gaps": gaps(checked),
        "revision": answer.body["revision"] if answer.ok else form.get("revision"),
        "save_errors": [] if answer.ok or answer.status == 412 else refused_fields(answer),
        "stale": answer.status == 412,
        "live": True,
    }
    return portal.page(request, "applicant/precheck.html", context)


# --- documents ------------------------------------------------------------------------------------------------


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(UPLOAD_CHUNK):
        yield chunk


@router.post("/consortium/proposals/{proposal_id}/documents", response_class=HTMLResponse)
async def upload_document(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    """One document of a type (and a partner, for per-partner types), streamed on to proposal_intake as the raw
    body; its checks' refusal is shown at the file field."""
    form = await portal.form_of(request)
    kind, partner = str(form.get("document_type") or ""), _text(form.get("partner"))
    field = f"doc-{kind}-{partner or 'proposal'}"
    upload = form.get("file")
    api = portal.api(request)
    if isinstance(upload, UploadFile) and upload.filename:
        params = {"name": upload.filename, **({"partner": partner} if partner else {})}
        answer = await api.request(
            "PUT",
            f"{INTAKE}/proposals/{proposal_id}/documents/{kind}",
            params=params,
            content=_chunks(upload),
            headers={"Content-Type": "application/octet-stream"},
        )
        if answer.ok:
            return RedirectResponse(f"/consortium/proposals/{proposal_id}?uploaded={kind}#documents", status_code=303)
        error = answer.detail or str((answer.body or {}).get("title", ""))
        status = answer.status
    else:
        error, status = portal.gettext(request, N_("Choose a file to upload.")), 422
    context = await _form_context(portal, request, str(proposal_id))
    if context is None:
        return _not_yours(portal, request)
    _versions_shown(context, portal.language_of(request))
    context.update(
        title=N_("Proposal %(acronym)s"),
        title_args={"acronym": context["values"].get("acronym") or "-"},
        errors={field: error},
        document_errors={field: error},
    )
    return portal.page(request, "applicant/proposal.html", context, status)


@router.post("/consortium/proposals/{proposal_id}/documents/delete", response_class=HTMLResponse)
async def delete_document(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    form = await portal.form_of(request)
    partner = _text(form.get("partner"))
    answer = await portal.api(request).request(
        "DELETE",
        f"{INTAKE}/proposals/{proposal_id}/documents/{form.get('document_type')}",
        params={"partner": partner} if partner else {},
    )
    if answer.ok:
        return RedirectResponse(f"/consortium/proposals/{proposal_id}?removed=1#documents", status_code=303)
    text = N_("The document could not be removed.")
    return portal.page(
        request, "message.html", {"title": N_("Not removed"), "text": text, "detail": answer.detail}, answer.status
    )


# --- submission, receipt, withdrawal ----------------------------------------------------------------------------


@router.get("/consortium/proposals/{proposal_id}/submit", response_class=HTMLResponse)
async def confirm_submission(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    context = await _form_context(portal, request, str(proposal_id))
    if context is None:
        return _not_yours(portal, request)
    context.update(title=N_("Check and submit"), idempotency_key=str(uuid.uuid4()))
    return portal.page(request, "applicant/submit.html", context)


@router.post("/consortium/proposals/{proposal_id}/submit", response_class=HTMLResponse)
async def submit(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    form = await portal.form_of(request)
    key = _text(form.get("idempotency_key")) or str(uuid.uuid4())
    answer = await portal.api(request).request(
        "POST", f"{INTAKE}/proposals/{proposal_id}/submit", headers={"Idempotency-Key": key}
    )
    if answer.ok:
        return RedirectResponse(
            f"/consortium/proposals/{proposal_id}/receipt?version={answer.body['version']}", status_code=303
        )
    context = await _form_context(portal, request, str(proposal_id))
    if context is None:
        return _not_yours(portal, request)
    body = answer.body if isinstance(answer.body, dict) else {}
    context.update(
        title=N_("Check and submit"),
        idempotency_key=str(uuid.uuid4()),
        refused={
            "status": answer.status,
            "type": str(body.get("type", "")).rsplit("/", 1)[-1],
            "detail": answer.detail,
        },
        errors=field_errors(answer),
    )
    return portal.page(request, "applicant/submit.html", context, answer.status)


async def _asked_receipt(
    request: Request,
    portal: PortalDep,
    _signed_in: ConsortiumSession,
    proposal_id: uuid.UUID,
    version: int | None = None,
) -> dict[str, Any] | None:
    """The receipt of the version asked for (the latest by default); None where the consortium has none to see."""
    versions = await portal.api(request).get(f"{INTAKE}/proposals/{proposal_id}/versions")
    if not versions.ok or not versions.body:
        return None
    chosen = [v for v in versions.body if version is None or v["version"] == version]
    return receipt_of(str(proposal_id), chosen[-1]) if chosen else None


AskedReceipt = Annotated[dict[str, Any] | None, Depends(_asked_receipt)]


@router.get("/consortium/proposals/{proposal_id}/receipt", response_class=HTMLResponse)
async def receipt_page(request: Request, portal: PortalDep, proposal_id: uuid.UUID, receipt: AskedReceipt) -> Response:
    if receipt is None:
        return _not_yours(portal, request)
    proposal = await portal.api(request).get(f"{INTAKE}/proposals/{proposal_id}")
    call = await portal.api(request).get(f"{CALLS}/calls/{proposal.body['call_id']}") if proposal.ok else proposal
    config = call.body["configuration"] if call.ok else {}
    zone = config.get("time_zone")
    received = datetime.fromisoformat(receipt["received_at"])
    context = {
        "title": N_("Receipt of version %(version)s"),
        "title_args": {"version": receipt["version"]},
        "receipt": receipt,
        "received_local": format_when(received, zone, portal.language_of(request)),
        "received_utc": received.astimezone(UTC).isoformat(),
        "doc_names": {kind["key"]: kind["name"] for kind in config.get("documents") or []},
    }
    return portal.page(request, "applicant/receipt.html", context)


@router.get("/consortium/proposals/{proposal_id}/receipt.json")
async def receipt_json(request: Request, portal: PortalDep, proposal_id: uuid.UUID, receipt: AskedReceipt) -> Response:
    if receipt is None:
        return _not_yours(portal, request)
    name = f"receipt-{proposal_id}-v{receipt['version']}.json"
    return Response(
        json.dumps(receipt, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/consortium/proposals/{proposal_id}/receipt.pdf")
async def receipt_pdf_download(
    request: Request, portal: PortalDep, proposal_id: uuid.UUID, receipt: AskedReceipt
) -> Response:
    if receipt is None:
        return _not_yours(portal, request)

    def say(message: str) -> str:
        return portal.gettext(request, message)

    lines = [
        say(PDF_TITLE),
        f"{say(PDF_LABELS['proposal'])}: {receipt['acronym'] or ''} ({proposal_id})",
        f"{say(PDF_LABELS['version'])}: {receipt['version']}",
        f"{say(PDF_LABELS['received'])}: {receipt['received_at']}",
        f"{say(PDF_LABELS['by'])}: {receipt['submitted_by'] or ''}",
        f"{say(PDF_LABELS['sha256'])}:",
        f"  {receipt['content_sha256']}",
        "",
        f"{say(PDF_LABELS['documents'])}:",
    ]
    for document in receipt["documents"]:
        lines.append(f"  {document['type']} {document.get('partner') or ''} {document['name']}")
        lines.append(f"    SHA-256 {document['sha256']}")
    if receipt["warnings"]:
        lines += ["", f"{say(PDF_LABELS['warnings'])}:", *(f"  {w[:110]}" for w in receipt["warnings"])]
    name = f"receipt-{proposal_id}-v{receipt['version']}.pdf"
    return Response(
        receipt_pdf(lines),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/consortium/proposals/{proposal_id}/withdraw", response_class=HTMLResponse)
async def confirm_withdrawal(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    proposal = await portal.api(request).get(f"{INTAKE}/proposals/{proposal_id}")
    if not proposal.ok:
        return _not_yours(portal, request)
    context = {"title": N_("Withdraw the proposal"), "proposal": proposal.body, "errors": {}, "values": {}}
    return portal.page(request, "applicant/withdraw.html", context)


@router.post("/consortium/proposals/{proposal_id}/withdraw", response_class=HTMLResponse)
async def withdraw(
    request: Request, portal: PortalDep, _signed_in: ConsortiumSession, proposal_id: uuid.UUID
) -> Response:
    form = await portal.form_of(request)
    api = portal.api(request)
    answer = await api.request(
        "POST", f"{INTAKE}/proposals/{proposal_id}/withdraw", json={"reason": str(form.get("reason") or "")}
    )
    if answer.ok:
        return RedirectResponse(f"/consortium/proposals/{proposal_id}?withdrawn=1", status_code=303)
    proposal = await api.get(f"{INTAKE}/proposals/{proposal_id}")
    if not proposal.ok:
        return _not_yours(portal, request)
    context = {
        "title": N_("Withdraw the proposal"),
        "proposal": proposal.body,
        "errors": field_errors(answer),
        "values": form,
    }
    return portal.page(request, "applicant/withdraw.html", context, answer.status)
