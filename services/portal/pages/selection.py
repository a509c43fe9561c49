"""The call secretariat's evaluation, selection meeting and results (an agency): evaluators (one, or a CSV
list), conflicts, the assignment and the progress of assessments; the ranking with the virtual common pot's
result, the what-if of regional top-ups beside the current funding, the decision and each region's
confirmation; publishing the results and downloading them (CSV, JSON, XLSX as the API makes them)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from shared.pagination import encode_cursor

from ..api_client import Api, ApiAnswer
from ..i18n import N_
from ..selection_data import (
    CSV_COLUMNS,
    budget_chart,
    changes,
    countries_of,
    loads,
    parse_evaluators_csv,
    top_ups_of,
)
from ..web import CALLS, EVALUATION, AgencySession, Portal, PortalDep

router = APIRouter(prefix="/selection")
RANKING_PAGE = 50
LINE = {"view": "line"}  # the funding's outcomes, and the amounts around the funding line only
PROGRESS_PAGE = 50
DOWNLOADS = {
    "csv": ("results.csv", "text/csv; charset=utf-8"),
    "xlsx": ("results.xlsx", None),
    "json": ("results", None),
}


async def _calls(portal: Portal, request: Request) -> list[dict[str, Any]]:
    listing = await portal.api(request).get(f"{CALLS}/calls/all", limit=100)
    return [c for c in listing.body.get("items", []) if c.get("version", 0) > 0] if listing.ok else []


async def _call(portal: Portal, request: Request, call_id: str) -> ApiAnswer:
    return await portal.api(request).get(f"{CALLS}/calls/{call_id}")


def _missing(portal: Portal, request: Request, answer: ApiAnswer) -> HTMLResponse:
    title = N_("Call not found") if answer.status == 404 else N_("The service could not answer")
    return portal.message(request, title, answer.detail, answer.status if answer.status >= 400 else 502)


@router.get("", response_class=HTMLResponse)
async def calls_page(request: Request, portal: PortalDep, _signed_in: AgencySession) -> Response:
    context = {"title": N_("Evaluation and selection"), "calls": await _calls(portal, request)}
    return portal.page(request, "selection/calls.html", context)


# --- Evaluation -------------------------------------------------------------------------------------


async def _all(api: Api, path: str, pages: int = 20) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every item of a paged list (at most `pages` pages of 500), and the first page's other fields."""
    items: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    cursor = None
    for _ in range(pages):
        answer = await api.get(path, limit=500, cursor=cursor)
        if not answer.ok:
            break
        first = first or answer.body
        items.extend(answer.body.get("items", []))
        cursor = answer.body.get("next_cursor")
        if not cursor:
            break
    return items, first


async def _evaluation_context(portal: Portal, request: Request, call: dict[str, Any], page: int) -> dict[str, Any]:
    api = portal.api(request)
    call_id = call["id"]
    (evaluators, _), (assigned, assignment), (entries, _) = await asyncio.gather(
        _all(api, f"{EVALUATION}/calls/{call_id}/evaluators"),
        _all(api, f"{EVALUATION}/calls/{call_id}/assignment"),
        _all(api, f"{EVALUATION}/calls/{call_id}/proposals"),
    )
    shown = entries[page * PROGRESS_PAGE : (page + 1) * PROGRESS_PAGE]
    details = await asyncio.gather(*(api.get(f"{EVALUATION}/proposals/{e['proposal_id']}") for e in shown))
    names = {e["id"]: e["name"] for e in evaluators}
    progress, conflicts = [], []
    for entry, detail in zip(shown, details, strict=True):
        body = detail.body if detail.ok else {}
        assessments = body.get("assessments") or []
        progress.append(
            {
                **entry,
                "assigned": len(body.get("evaluator_ids") or []),
                "submitted": sum(1 for a in assessments if a.get("status") == "submitted"),
                "drafts": sum(1 for a in assessments if a.get("status") == "draft"),
                "consensus_final": bool((body.get("consensus") or {}).get("final")),
            }
        )
        for conflict in body.get("conflicts") or []:
            conflicts.append({**conflict, "acronym": entry.get("acronym"), "name": names.get(conflict["evaluator_id"])})
    return {
        "title": N_("Evaluation of %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "evaluators": evaluators,
        "names": names,
        "assignment": assignment,
        "assigned": [{**item, "countries": countries_of(item["evaluator_ids"], evaluators)} for item in assigned],
        "unassigned": [item for item in assigned if item.get("shortfall")],
        "loads": loads(evaluators, assigned),
        "progress": progress,
        "conflicts": conflicts,
        "page": page,
        "pages": max(1, -(-len(entries) // PROGRESS_PAGE)),
        "proposal_count": len(entries),
        "csv_columns": CSV_COLUMNS,
        "errors": {},
        "values": {},
        "row_problems": [],
    }


async def _evaluation_page(
    portal: Portal, request: Request, call_id: str, page: int = 0, status: int = 200, **extra: Any
) -> Response:
    call = await _call(portal, request, call_id)
    if not call.ok:
        return _missing(portal, request, call)
    context = await _evaluation_context(portal, request, call.body, page)
    context.update(extra)
    return portal.page(request, "selection/evaluation.html", context, status)


@router.get("/calls/{call_id}/evaluation", response_class=HTMLResponse)
async def evaluation_page(
    request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str, page: int = 0
) -> Response:
    return await _evaluation_page(portal, request, call_id, max(0, page))


def _evaluator_body(form: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        key: str(form.get(key) or "").strip() for key in ("name", "email", "organisation", "country")
    }
    for optional in ("organisation_legal_id", "region_code"):
        if str(form.get(optional) or "").strip():
            body[optional] = str(form[optional]).strip()
    body["expertise"] = [item.strip() for item in str(form.get("expertise") or "").split(";") if item.strip()]
    load = str(form.get("max_load") or "").strip()
    body["max_load"] = int(load) if load.isdigit() else load
    return body


@router.post("/calls/{call_id}/evaluators", response_class=HTMLResponse)
async def register_evaluator(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    form = await portal.form_of(request)
    answer = await portal.api(request).request(
        "POST", f"{EVALUATION}/calls/{call_id}/evaluators", json=_evaluator_body(form)
    )
    if answer.ok:
        return RedirectResponse(f"/selection/calls/{call_id}/evaluation?registered=1#evaluators", status_code=303)
    errors = {f"evaluator-{field}": message for field, message in answer.field_errors().items()}
    values = {key: form.get(key) for key in CSV_COLUMNS}  # the form's fields are the list's columns
    return await _evaluation_page(
        portal, request, call_id, status=422, errors=errors or {"": answer.detail}, values=values
    )


@router.post("/calls/{call_id}/evaluators/import", response_class=HTMLResponse)
async def import_evaluators(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    form = await portal.form_of(request)
    upload = form.get("file")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        message = portal.gettext(request, N_("The file is not UTF-8 text."))
        return await _evaluation_page(portal, request, call_id, status=422, errors={"file": message})
    if not text.strip():
        message = portal.gettext(request, N_("Choose a CSV file of evaluators."))
        return await _evaluation_page(portal, request, call_id, status=422, errors={"file": message})
    parsed = parse_evaluators_csv(text)
    problems = [(p.line, p.column, portal.gettext(request, p.message)) for p in parsed.problems]
    registered = 0
    api = portal.api(request)
    for line, body in parsed.rows:
        answer = await api.request("POST", f"{EVALUATION}/calls/{call_id}/evaluators", json=body)
        if answer.ok:
            registered += 1
            continue
        fields = answer.field_errors()
        problems.extend((line, field, message) for field, message in fields.items())
        if not fields:
            problems.append((line, "", answer.detail))
    if not problems:
        return RedirectResponse(
            f"/selection/calls/{call_id}/evaluation?imported={registered}#evaluators", status_code=303
        )
    problems.sort(key=lambda problem: problem[0])
    summary = portal.gettext(request, N_("Some rows of the file were not registered: see the list under the form."))
    return await _evaluation_page(
        portal,
        request,
        call_id,
        status=422,
        errors={"file": summary},
        row_problems=problems,
        imported=registered,
    )


@router.post("/calls/{call_id}/assignment", response_class=HTMLResponse)
async def run_assignment(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    await portal.form_of(request)
    answer = await portal.api(request).request("POST", f"{EVALUATION}/calls/{call_id}/assignment")
    if answer.ok:
        return RedirectResponse(f"/selection/calls/{call_id}/evaluation?assigned=1#assignment", status_code=303)
    return await _evaluation_page(portal, request, call_id, status=answer.status, errors={"": answer.detail})


# --- The selection meeting ----------------------------------------------------------------------------


async def _meeting_context(
    portal: Portal, request: Request, call: dict[str, Any], page: int, top_ups: dict[str, str] | None
) -> dict[str, Any]:
    api = portal.api(request)
    call_id = call["id"]
    # The pot, the what-if and the decision are on the first page; later pages are the rest of the ranking only,
    # so paging through 5,000 lines does not walk the pot each time.
    with_pot = page == 0 or top_ups is not None
    ranking, funding = await asyncio.gather(
        api.get(f"{EVALUATION}/calls/{call_id}/ranking", limit=RANKING_PAGE, cursor=_cursor(page)),
        api.get(f"{EVALUATION}/calls/{call_id}/funding", view="line") if with_pot else _nothing(),
    )
    ranking_body = ranking.body if ranking.ok else {"items": [], "pending_consensus": [], "completed_at": None}
    completed = bool(ranking_body.get("completed_at"))
    decided = funding.body if funding.ok else None
    # Before a decision, the pot's result as it would be now (a simulation without top-ups changes nothing).
    current = decided
    if current is None and completed and with_pot:
        preview = await api.request(
            "POST", f"{EVALUATION}/calls/{call_id}/funding/simulate", json={"top_ups": {}}, params=LINE
        )
        current = preview.body if preview.ok else None
    what_if = None
    if top_ups is not None and completed:
        simulated = await api.request(
            "POST", f"{EVALUATION}/calls/{call_id}/funding/simulate", json={"top_ups": top_ups}, params=LINE
        )
        what_if = simulated.body if simulated.ok else None
    # Every outcome without its amounts, and the proposals around the funding line with them (`view=line`): the
    # page shows no more of a 5,000-proposal walk, so the service need not send it.
    decisions = (current or {}).get("outcomes") or []
    status_of = {d["proposal_id"]: d for d in decisions}
    regions = (current or {}).get("regions", [])
    money = portal.templates[portal.language_of(request)].env.filters["money"]
    series = (
        [("", "now", regions)]
        if what_if is None
        else [
            (portal.gettext(request, N_("now")), "now", regions),
            (portal.gettext(request, N_("what if")), "what-if", what_if["regions"]),
        ]
    )
    configuration = call.get("configuration", {})
    evaluation = configuration.get("evaluation", {})
    return {
        "title": N_("Selection meeting for %(code)s"),
        "title_args": {"code": call["code"]},
        "call": call,
        "criteria": evaluation.get("criteria", []),
        "tie_break": evaluation.get("tie_break", []),
        "regions_of_call": configuration.get("regions", []),
        "ranking": ranking_body,
        "completed": completed,
        "page": page,
        "with_pot": with_pot,
        "has_next": bool(ranking_body.get("next_cursor")),
        "status_of": status_of,
        "decided": decided,
        "current": current,
        "line": (current or {}).get("proposals", []),
        "what_if": what_if,
        "top_ups": [
            money(
                amount, next((r.get("currency") for r in configuration.get("regions", []) if r["code"] == code), None)
            )
            + f" ({code})"
            for code, amount in (top_ups or {}).items()
        ],
        "changes": changes(decisions, what_if["outcomes"]) if what_if else [],
        "what_if_status": {d["proposal_id"]: d["status"] for d in what_if["outcomes"]} if what_if else {},
        "chart": budget_chart(series, "", money) if regions else None,
        "chart_reporting": budget_chart(series, "_reporting", money) if regions else None,
        "errors": {},
        "values": {},
    }


async def _nothing() -> ApiAnswer:
    return ApiAnswer(204, None)


def _cursor(page: int) -> str | None:
    return encode_cursor(page * RANKING_PAGE) if page else None


async def _meeting_page(
    portal: Portal,
    request: Request,
    call_id: str,
    page: int = 0,
    top_ups: dict[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    call = await _call(portal, request, call_id)
    if not call.ok:
        return _missing(portal, request, call)
    context = await _meeting_context(portal, request, call.body, page, top_ups)
    context.update(extra)
    return portal.page(request, "selection/meeting.html", context, status)


@router.get("/calls/{call_id}/meeting", response_class=HTMLResponse)
async def meeting_page(
    request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str, page: int = 0
) -> Response:
    return await _meeting_page(portal, request, call_id, max(0, page))


@router.post("/calls/{call_id}/meeting/what-if", response_class=HTMLResponse)
async def what_if(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    form = await portal.form_of(request)
    call = await _call(portal, request, call_id)
    if not call.ok:
        return _missing(portal, request, call)
    codes = [region["code"] for region in call.body.get("configuration", {}).get("regions", [])]
    top_ups, errors = top_ups_of(form, codes)
    values = {key: form.get(key) for key in form}
    if errors:
        translated = {field: portal.gettext(request, message) for field, message in errors.items()}
        return await _meeting_page(portal, request, call_id, status=422, errors=translated, values=values)
    return await _meeting_page(portal, request, call_id, top_ups=top_ups, values=values)


@router.post("/calls/{call_id}/ranking/complete", response_class=HTMLResponse)
async def complete_ranking(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    await portal.form_of(request)
    answer = await portal.api(request).request("POST", f"{EVALUATION}/calls/{call_id}/ranking/complete")
    if answer.ok:
        return RedirectResponse(f"/selection/calls/{call_id}/meeting?completed=1", status_code=303)
    return await _meeting_page(portal, request, call_id, status=answer.status, errors={"": answer.detail})


@router.post("/calls/{call_id}/funding", response_class=HTMLResponse)
async def decide_funding(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    confirmed = Confirmed("confirm_decide", N_("Confirm that the funding is to be decided."))
    done = f"/selection/calls/{call_id}/meeting?decided=1#confirmations"
    return await _post_confirmed(portal, request, call_id, confirmed, "funding", done, _meeting_page)


class Confirmed(NamedTuple):
    """The box a form must have ticked before its step is asked of the API, and what is said when it is not."""

    field: str
    message: str


async def _post_confirmed(
    portal: Portal,
    request: Request,
    call_id: str,
    confirmed: Confirmed,
    step: str,
    done: str,
    page: Callable[..., Awaitable[Response]],
) -> Response:
    """A step the agency confirms (deciding the funding, publishing the results): the form's box ticked, the step
    POSTed to the call's `step` in joint_evaluation, then `done` on success or the page again with the reason."""
    form = await portal.form_of(request)
    if not form.get(confirmed.field):
        message = portal.gettext(request, confirmed.message)
        return await page(portal, request, call_id, status=422, errors={confirmed.field: message})
    answer = await portal.api(request).request("POST", f"{EVALUATION}/calls/{call_id}/{step}")
    if answer.ok:
        return RedirectResponse(done, status_code=303)
    return await page(portal, request, call_id, status=answer.status, errors={"": answer.detail})


# --- Results ------------------------------------------------------------------------------------------


@router.get("/calls/{call_id}/results", response_class=HTMLResponse)
async def results_page(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    return await _results_page(portal, request, call_id)


async def _results_page(portal: Portal, request: Request, call_id: str, status: int = 200, **extra: Any) -> Response:
    call = await _call(portal, request, call_id)
    if not call.ok:
        return _missing(portal, request, call)
    results = await portal.api(request).get(f"{EVALUATION}/calls/{call_id}/results")
    evaluation = call.body.get("configuration", {}).get("evaluation", {})
    context = {
        "title": N_("Results of %(code)s"),
        "title_args": {"code": call.body["code"]},
        "call": call.body,
        "results": results.body if results.ok else None,
        "results_detail": results.detail,
        "criteria": evaluation.get("criteria", []),
        "errors": {},
        **extra,
    }
    return portal.page(request, "selection/results.html", context, status)


@router.post("/calls/{call_id}/results/publish", response_class=HTMLResponse)
async def publish_results(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str) -> Response:
    confirmed = Confirmed("confirm_publish", N_("Confirm that the results are to be published."))
    done = f"/selection/calls/{call_id}/results?published=1"
    return await _post_confirmed(portal, request, call_id, confirmed, "results/publish", done, _results_page)


@router.get("/calls/{call_id}/download/{kind}")
async def download(request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str, kind: str) -> Response:
    """The API's own bytes, fetched with the person's token (the portal makes no file of its own)."""
    if kind not in DOWNLOADS:
        return portal.message(request, N_("Not found"), "", 404)
    path, _ = DOWNLOADS[kind]
    api = portal.api(request)
    response = await api.raw("GET", f"{EVALUATION}/calls/{call_id}/{path}")
    if response.status_code != 200:
        return portal.message(request, N_("The service could not answer"), response.text[:500], response.status_code)
    headers = {
        "Content-Disposition": response.headers.get("content-disposition")
        or f'attachment; filename="results-{call_id}.{kind}"'
    }
    return Response(response.content, media_type=response.headers.get("content-type"), headers=headers)
