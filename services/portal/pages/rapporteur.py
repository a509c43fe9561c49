"""The rapporteur's pages (an agency): the proposals of a call in evaluation, and the consensus page with the
individual assessments side by side, the spread per criterion and the outliers flagged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..api_client import ApiAnswer
from ..consensus import consensus_body, consensus_field_errors, consensus_rows
from ..i18n import N_
from ..web import CALLS, EVALUATION, AgencySession, Portal, PortalDep
from .evaluator import not_open, proposal_context

router = APIRouter(prefix="/rapporteur")


@router.get("", response_class=HTMLResponse)
async def proposals_in_evaluation(
    request: Request, portal: PortalDep, _signed_in: AgencySession, call_id: str | None = None
) -> Response:
    api = portal.api(request)
    listing = await api.get(f"{CALLS}/calls/all", limit=100)
    calls = [c for c in listing.body.get("items", []) if c.get("version", 0) > 0] if listing.ok else []
    chosen = next((c for c in calls if c["id"] == call_id), calls[0] if calls else None)
    proposals: list[dict[str, Any]] = []
    if chosen:
        answer = await api.get(f"{EVALUATION}/calls/{chosen['id']}/proposals", limit=500)
        proposals = answer.body.get("items", []) if answer.ok else []
    context = {"title": N_("Consensus"), "calls": calls, "chosen": chosen, "proposals": proposals}
    return portal.page(request, "rapporteur/proposals.html", context)


async def consensus_context(portal: Portal, request: Request, proposal_id: str) -> tuple[ApiAnswer, dict[str, Any]]:
    proposal, context = await proposal_context(portal, request, proposal_id)
    if not proposal.ok:
        return proposal, {}
    call_id = proposal.body["call_id"]
    experts = await portal.api(request).get(f"{EVALUATION}/calls/{call_id}/evaluators", limit=500)
    names = {e["id"]: e["name"] for e in experts.body.get("items", [])} if experts.ok else {}
    rows = consensus_rows(context["evaluation"], proposal.body)
    cells = rows[0].cells if rows else []
    evaluators = [(cell.evaluator_id, names.get(cell.evaluator_id, cell.evaluator_id)) for cell in cells]
    context.update(
        title=N_("Consensus on %(acronym)s"),
        title_args={"acronym": proposal.body.get("acronym") or proposal_id},
        rows=rows,
        evaluators=evaluators,
        statuses={a["evaluator_id"]: a["status"] for a in proposal.body.get("assessments") or []},
        consensus=proposal.body.get("consensus") or {},
        errors={},
        values={},
    )
    return proposal, context


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
async def consensus_page(request: Request, portal: PortalDep, _signed_in: AgencySession, proposal_id: str) -> Response:
    answer, context = await consensus_context(portal, request, proposal_id)
    if not answer.ok:
        return not_open(portal, request, answer)
    return portal.page(request, "rapporteur/consensus.html", context)


@router.post("/proposals/{proposal_id}/consensus", response_class=HTMLResponse)
async def save_consensus(request: Request, portal: PortalDep, _signed_in: AgencySession, proposal_id: str) -> Response:
    form = await portal.form_of(request)
    answer, context = await consensus_context(portal, request, proposal_id)
    if not answer.ok:
        return RedirectResponse(f"/rapporteur/proposals/{proposal_id}", status_code=303)
    keys = [row.key for row in context["rows"]]
    finalise = form.get("action") == "finalise"
    errors: dict[str, str] = {}
    if finalise and not form.get("confirm_final"):
        errors["confirm_final"] = portal.gettext(request, N_("Confirm that the consensus is final."))
    else:
        api = portal.api(request)
        path = f"{EVALUATION}/proposals/{proposal_id}/consensus"
        saved = await api.request("PUT", path, json=consensus_body(keys, form))
        if saved.ok and finalise:
            saved = await api.request("POST", f"{path}/finalise")
        if saved.ok:
            done = "finalised" if finalise else "saved"
            return RedirectResponse(f"/rapporteur/proposals/{proposal_id}?{done}=1", status_code=303)
        errors = consensus_field_errors(saved.body) or {"": saved.detail}
    context.update(errors=errors, values=form)
    return portal.page(request, "rapporteur/consensus.html", context, 422)
