"""The evaluator's pages: my assignments (with the due-date reminders), the conflict-of-interest gate, the
proposal with its documents, and the scoring form with its running total."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..api_client import ApiAnswer
from ..i18n import N_, format_when
from ..web import EVALUATION, EvaluatorSession, Portal, PortalDep

router = APIRouter(prefix="/evaluator")


def weighted_total(evaluation: dict[str, Any], scores: dict[str, Any]) -> dict[str, Any]:
    """The running total the scoring form shows: sum of score x weight, and each criterion's threshold."""
    total, complete, below = Decimal(0), True, []
    for criterion in evaluation.get("criteria", []):
        try:
            score = Decimal(str(scores.get(criterion["key"])))
        except (InvalidOperation, ValueError):
            complete = False
            continue
        total += score * Decimal(str(criterion["weight"]))
        if score < Decimal(str(criterion["threshold"])):
            below.append(criterion["name"])
    return {"weighted": f"{total.normalize():f}", "complete": complete, "below": below}


def due_in(configuration: dict[str, Any], now: datetime, language: str = "en") -> dict[str, Any]:
    """The call's evaluation due date in the call's own time zone, and the reminder (7 days, 1 day) it calls for."""
    due_text = configuration.get("evaluation_due")
    if not due_text:
        return {"due": None, "reminder": None}
    due = datetime.fromisoformat(str(due_text))
    left = due - now
    reminder = None
    if left.total_seconds() <= 0:
        reminder = "overdue"
    elif left.days < 1:
        reminder = "1 day"
    elif left.days < 7:
        reminder = "7 days"
    return {"due": format_when(due, configuration.get("time_zone"), language), "reminder": reminder}


@router.get("", response_class=HTMLResponse)
async def assignments(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, cursor: str | None = None
) -> Response:
    api = portal.api(request)
    answer = await api.get(f"{EVALUATION}/evaluators/me/proposals", cursor=cursor)
    items = answer.body.get("items", []) if answer.ok else []
    call_ids = list(dict.fromkeys(item["call_id"] for item in items))
    answers = await asyncio.gather(*(portal.call(request, call_id) for call_id in call_ids))
    calls = {
        call_id: call.body.get("configuration", {}) if call.ok else {}
        for call_id, call in zip(call_ids, answers, strict=True)
    }
    for item in items:
        item.update(due_in(calls[item["call_id"]], datetime.now(UTC), portal.language_of(request)))
    context = {
        "title": N_("My assignments"),
        "items": items,
        "next_cursor": answer.body.get("next_cursor") if answer.ok else None,
    }
    return portal.page(request, "evaluator/assignments.html", context)


async def proposal_context(portal: Portal, request: Request, proposal_id: str) -> tuple[ApiAnswer, dict[str, Any]]:
    """The proposal as joint_evaluation shows it to this person, and its call's evaluation section."""
    api = portal.api(request)
    proposal = await api.get(f"{EVALUATION}/proposals/{proposal_id}")
    if not proposal.ok:
        return proposal, {}
    call = await portal.call(request, proposal.body["call_id"])
    evaluation = call.body["configuration"]["evaluation"] if call.ok else {"criteria": [], "scale": {}}
    return proposal, {"proposal": proposal.body, "evaluation": evaluation}


def not_open(portal: Portal, request: Request, answer: ApiAnswer) -> Response:
    context = {"title": N_("Not found"), "text": N_("This proposal is not open to you."), "detail": answer.detail}
    return portal.page(request, "message.html", context, answer.status)


def _assessment_form(
    context: dict[str, Any], proposal_id: str, own: dict[str, Any], scores: dict[str, Any], notes: Any
) -> None:
    context.update(
        title=N_("Assess %(acronym)s"),
        title_args={"acronym": context["proposal"].get("acronym") or proposal_id},
        own=own,
        values={"scores": scores, "justifications": notes},
        total=weighted_total(context["evaluation"], scores),
    )


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
async def proposal_page(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, proposal_id: str
) -> Response:
    answer, context = await proposal_context(portal, request, proposal_id)
    if not answer.ok:
        return not_open(portal, request, answer)
    declared = proposal_id in request.session.get("no_conflict", [])
    own = context["proposal"].get("own_assessment") or {}
    if not declared and not own:
        context.update(title=N_("Conflict of interest"), errors={})
        return portal.page(request, "evaluator/conflict.html", context)
    _assessment_form(context, proposal_id, own, own.get("scores", {}), own.get("justifications", {}))
    context["errors"] = {}
    return portal.page(request, "evaluator/proposal.html", context)


@router.post("/proposals/{proposal_id}/conflict", response_class=HTMLResponse)
async def conflict_gate(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, proposal_id: str
) -> Response:
    form = await portal.form_of(request)
    if form.get("conflict") == "none":
        request.session["no_conflict"] = [*request.session.get("no_conflict", []), proposal_id]
        return RedirectResponse(f"/evaluator/proposals/{proposal_id}", status_code=303)
    answer = await portal.api(request).request(
        "POST", f"{EVALUATION}/proposals/{proposal_id}/conflicts", json={"reason": form.get("reason") or ""}
    )
    if answer.ok:
        text = N_("The proposal was removed from your assignments.")
        return portal.message(request, N_("Conflict declared"), text)
    _, context = await proposal_context(portal, request, proposal_id)
    context.update(title=N_("Conflict of interest"), errors=answer.field_errors() or {"reason": answer.detail})
    return portal.page(request, "evaluator/conflict.html", context, 422)


@router.post("/proposals/{proposal_id}/total", response_class=HTMLResponse)
async def running_total(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, proposal_id: str
) -> Response:
    form = await portal.form_of(request)
    _, context = await proposal_context(portal, request, proposal_id)
    scores = {key[6:]: value for key, value in form.items() if key.startswith("score_")}
    total = weighted_total(context.get("evaluation", {}), scores)
    return portal.page(request, "evaluator/total.html", {"total": total})


@router.post("/proposals/{proposal_id}/assessment", response_class=HTMLResponse)
async def save_assessment(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, proposal_id: str
) -> Response:
    form = await portal.form_of(request)
    _, context = await proposal_context(portal, request, proposal_id)
    keys = [criterion["key"] for criterion in context.get("evaluation", {}).get("criteria", [])]
    scores = {key: form.get(f"score_{key}") for key in keys if form.get(f"score_{key}") not in (None, "")}
    justifications = {key: str(form.get(f"justification_{key}") or "") for key in keys}
    api = portal.api(request)
    answer = await api.request(
        "PUT",
        f"{EVALUATION}/proposals/{proposal_id}/assessment",
        json={"scores": scores, "justifications": justifications},
    )
    if answer.ok and form.get("action") == "submit":  # the draft is saved; submitting it is confirmed first
        return RedirectResponse(f"/evaluator/proposals/{proposal_id}/submit", status_code=303)
    if answer.ok:
        return RedirectResponse(f"/evaluator/proposals/{proposal_id}?saved=1", status_code=303)
    _assessment_form(context, proposal_id, context["proposal"].get("own_assessment") or {}, scores, justifications)
    context.update(errors=answer.field_errors() or {"": answer.detail}, detail=answer.detail)
    return portal.page(request, "evaluator/proposal.html", context, 422)


@router.get("/proposals/{proposal_id}/submit", response_class=HTMLResponse)
async def confirm_submission(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, proposal_id: str
) -> Response:
    """What will be submitted (the saved draft's scores, comments, total and thresholds), before the final step."""
    answer, context = await proposal_context(portal, request, proposal_id)
    if not answer.ok:
        return not_open(portal, request, answer)
    own = context["proposal"].get("own_assessment") or {}
    if own.get("status") != "draft":
        return RedirectResponse(f"/evaluator/proposals/{proposal_id}", status_code=303)
    _assessment_form(context, proposal_id, own, own.get("scores", {}), own.get("justifications", {}))
    context.update(title=N_("Submit your assessment of %(acronym)s?"), errors={})
    return portal.page(request, "evaluator/confirm.html", context)


@router.post("/proposals/{proposal_id}/submit", response_class=HTMLResponse)
async def submit_assessment(
    request: Request, portal: PortalDep, _signed_in: EvaluatorSession, proposal_id: str
) -> Response:
    await portal.form_of(request)
    answer = await portal.api(request).request("POST", f"{EVALUATION}/proposals/{proposal_id}/assessment/submit")
    if answer.ok:
        return RedirectResponse("/evaluator?submitted=" + proposal_id, status_code=303)
    # Refused (a score or a comment missing, say): back to the form, the draft as saved, each message at its field.
    found, context = await proposal_context(portal, request, proposal_id)
    if not found.ok:
        return not_open(portal, request, found)
    own = context["proposal"].get("own_assessment") or {}
    _assessment_form(context, proposal_id, own, own.get("scores", {}), own.get("justifications", {}))
    context.update(errors=answer.field_errors() or {"": answer.detail}, detail=answer.detail)
    return portal.page(request, "evaluator/proposal.html", context, 422)
