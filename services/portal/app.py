"""The portal app: pages for evaluators and regional officers over the services' public APIs.

It holds no business data: a signed cookie keeps who is signed in (and their token); every page asks the
service that owns the data, with that token, so every authorisation rule stays where it is.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from shared.http.auth import issue_token, parse_role

from .api_client import Api, ApiAnswer
from .consensus import consensus_body, consensus_field_errors, consensus_rows
from .i18n import LANGUAGES, N_, format_money, format_when, negotiate, translations
from .oidc import OidcSignIn, forget_if_expired, person_of
from .settings import PortalSettings

HERE = Path(__file__).parent
EVALUATION = "/joint-evaluation"
ELIGIBILITY = "/regional-eligibility"
CALLS = "/call-definition"
INTAKE = "/proposal-intake"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


SIGN_IN_OFF = {"title": N_("Sign in"), "text": N_("Development sign-in is off.")}


class CsrfError(Exception):
    """A form came without the session's CSRF token."""


def template_sets() -> dict[str, Jinja2Templates]:
    """One template environment per language, its catalogue installed (gettext, ngettext) and its formats."""
    sets = {}
    for language in LANGUAGES:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, extensions=["jinja2.ext.i18n"]
        )
        environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
        environment.filters["money"] = functools.partial(_money, language=language)
        environment.globals["language"] = language
        environment.globals["languages"] = LANGUAGES
        sets[language] = Jinja2Templates(env=environment)
    return sets


def _money(amount: Any, currency: str | None = None, *, language: str) -> str:
    if isinstance(amount, dict):  # a Money object as the APIs present it
        amount, currency = amount.get("amount"), amount.get("currency")
    return format_money(amount, currency, language)


def local_path(target: str | None) -> str:
    """Where to go back to after the language switch: a path on this site only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def create_app(settings: PortalSettings | None = None, *, api_client: httpx.AsyncClient | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    app = FastAPI(title="jointcall portal", docs_url=None, redoc_url=None, openapi_url=None)
    templates = template_sets()
    client = api_client or httpx.AsyncClient(base_url=settings.api_base_url, timeout=30)
    # OpenID Connect when configured; the development sign-in page only without it.
    oidc = OidcSignIn(settings.oidc) if settings.oidc.enabled else None
    dev_sign_in = settings.dev_sign_in and oidc is None

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie="jointcall_portal",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return str(token)

    async def form_of(request: Request) -> dict[str, Any]:
        form = await request.form()
        sent = form.get("csrf_token")
        if not sent or not secrets.compare_digest(str(sent), str(request.session.get("csrf", ""))):
            raise CsrfError
        return {key: form.getlist(key) if key == "check_id" else form.get(key) for key in form}

    @app.exception_handler(CsrfError)
    async def refused(request: Request, _exc: CsrfError) -> Response:
        context = {"title": N_("The form has expired"), "text": N_("Please try again.")}
        return page(request, "message.html", context, 403)

    def api(request: Request) -> Api:
        return Api(client, request.session.get("token"), settings.service_urls)

    def language_of(request: Request) -> str:
        return negotiate(request.session.get("language"), request.headers.get("accept-language"))

    def gettext(request: Request, message: str) -> str:
        return str(translations(language_of(request)).gettext(message))

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        context = {
            "person": person_of(request.session),
            "csrf_token": csrf_token(request),
            "dev_sign_in": dev_sign_in or oidc is not None,  # whether to offer "Sign in"
            "title_args": {},
            **context,
        }
        response = templates[language_of(request)].TemplateResponse(request, name, context, status_code=status)
        response.headers["Content-Language"] = language_of(request)
        response.headers["Vary"] = "Accept-Language, Cookie"
        return response

    def signed_in(request: Request, role: str) -> bool:
        forget_if_expired(request.session)
        return str(request.session.get("role", "")).split(":")[0] == role

    def to_sign_in() -> RedirectResponse:
        return RedirectResponse("/sign-in", status_code=303)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        role = str(request.session.get("role", "")).split(":")[0]
        if role == "evaluator":
            return RedirectResponse("/evaluator", status_code=303)
        if role == "region":
            return RedirectResponse("/officer/checks", status_code=303)
        if role == "agency":
            return RedirectResponse("/rapporteur", status_code=303)
        return page(request, "home.html", {"title": N_("jointcall portal")})

    @app.get("/accessibility", response_class=HTMLResponse)
    async def accessibility(request: Request) -> Response:
        return page(request, "accessibility.html", {"title": N_("Accessibility statement")})

    @app.get("/language/{language}")
    async def choose_language(request: Request, language: str, back: str | None = None) -> Response:
        """The language switch: remembered in the session, then back to the page it was used on."""
        if language in LANGUAGES:
            request.session["language"] = language
        return RedirectResponse(local_path(back), status_code=303)

    # --- sign-in -------------------------------------------------------------------------------

    def message(request: Request, title: str, text: str, status: int) -> HTMLResponse:
        return page(request, "message.html", {"title": title, "text": text}, status)

    if oidc is not None:
        app.include_router(oidc.router(message))

    @app.get("/sign-in", response_class=HTMLResponse)
    async def sign_in_page(request: Request) -> Response:
        if oidc is not None:
            return await oidc.start(request, message)
        if not dev_sign_in:
            return page(request, "message.html", SIGN_IN_OFF, 404)
        return page(request, "sign_in.html", {"title": N_("Sign in (development only)"), "errors": {}, "values": {}})

    @app.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request) -> Response:
        if not dev_sign_in:
            return page(request, "message.html", SIGN_IN_OFF, 404)
        form = await form_of(request)
        role_text = f"{form.get('role', '')}:{str(form.get('scope') or '').strip()}".rstrip(":")
        try:
            parse_role(role_text)
        except ValueError as exc:
            context = {"title": N_("Sign in (development only)"), "errors": {"scope": str(exc)}, "values": form}
            return page(request, "sign_in.html", context, 422)
        language = request.session.get("language")
        request.session.clear()
        if language:
            request.session["language"] = language  # the language chosen before signing in stays
        request.session["role"] = role_text
        request.session["token"] = issue_token(settings.jwt_secret, role_text, subject=f"dev:{role_text}")
        return RedirectResponse("/", status_code=303)

    @app.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        await form_of(request)
        id_token, language = request.session.get("id_token"), request.session.get("language")
        request.session.clear()
        if language:
            request.session["language"] = language  # the language chosen stays after signing out
        at_provider = await oidc.sign_out_url(request, id_token) if oidc is not None else None
        return RedirectResponse(at_provider or "/", status_code=303)

    # --- evaluator -----------------------------------------------------------------------------

    @app.get("/evaluator", response_class=HTMLResponse)
    async def assignments(request: Request, cursor: str | None = None) -> Response:
        if not signed_in(request, "evaluator"):
            return to_sign_in()
        answer = await api(request).get(f"{EVALUATION}/evaluators/me/proposals", cursor=cursor)
        items = answer.body.get("items", []) if answer.ok else []
        calls: dict[str, dict[str, Any]] = {}
        for item in items:
            if item["call_id"] not in calls:
                call = await api(request).get(f"{CALLS}/calls/{item['call_id']}")
                calls[item["call_id"]] = call.body.get("configuration", {}) if call.ok else {}
            item.update(due_in(calls[item["call_id"]], datetime.now(UTC), language_of(request)))
        return page(
            request,
            "evaluator/assignments.html",
            {
                "title": N_("My assignments"),
                "items": items,
                "next_cursor": answer.body.get("next_cursor") if answer.ok else None,
            },
        )

    async def proposal_context(request: Request, proposal_id: str) -> tuple[ApiAnswer, dict[str, Any]]:
        proposal = await api(request).get(f"{EVALUATION}/proposals/{proposal_id}")
        if not proposal.ok:
            return proposal, {}
        call = await api(request).get(f"{CALLS}/calls/{proposal.body['call_id']}")
        evaluation = call.body["configuration"]["evaluation"] if call.ok else {"criteria": [], "scale": {}}
        return proposal, {"proposal": proposal.body, "evaluation": evaluation}

    @app.get("/evaluator/proposals/{proposal_id}", response_class=HTMLResponse)
    async def proposal_page(request: Request, proposal_id: str) -> Response:
        if not signed_in(request, "evaluator"):
            return to_sign_in()
        answer, context = await proposal_context(request, proposal_id)
        if not answer.ok:
            text = N_("This proposal is not open to you.")
            return page(
                request,
                "message.html",
                {"title": N_("Not found"), "text": text, "detail": answer.detail},
                answer.status,
            )
        declared = proposal_id in request.session.get("no_conflict", [])
        own = context["proposal"].get("own_assessment") or {}
        if not declared and not own:
            context.update(title=N_("Conflict of interest"), errors={})
            return page(request, "evaluator/conflict.html", context)
        scores = own.get("scores", {})
        context.update(
            title=N_("Assess %(acronym)s"),
            title_args={"acronym": context["proposal"].get("acronym") or proposal_id},
            own=own,
            values={"scores": scores, "justifications": own.get("justifications", {})},
            errors={},
            total=weighted_total(context["evaluation"], scores),
        )
        return page(request, "evaluator/proposal.html", context)

    @app.post("/evaluator/proposals/{proposal_id}/conflict", response_class=HTMLResponse)
    async def conflict_gate(request: Request, proposal_id: str) -> Response:
        if not signed_in(request, "evaluator"):
            return to_sign_in()
        form = await form_of(request)
        if form.get("conflict") == "none":
            request.session["no_conflict"] = [*request.session.get("no_conflict", []), proposal_id]
            return RedirectResponse(f"/evaluator/proposals/{proposal_id}", status_code=303)
        answer = await api(request).request(
            "POST", f"{EVALUATION}/proposals/{proposal_id}/conflicts", json={"reason": form.get("reason") or ""}
        )
        if answer.ok:
            return page(
                request,
                "message.html",
                {"title": N_("Conflict declared"), "text": N_("The proposal was removed from your assignments.")},
            )
        _, context = await proposal_context(request, proposal_id)
        errors = answer.field_errors() or {"reason": answer.detail}
        context.update(title=N_("Conflict of interest"), errors=errors)
        return page(request, "evaluator/conflict.html", context, 422)

    @app.post("/evaluator/proposals/{proposal_id}/total", response_class=HTMLResponse)
    async def running_total(request: Request, proposal_id: str) -> Response:
        if not signed_in(request, "evaluator"):
            return to_sign_in()
        form = await form_of(request)
        _, context = await proposal_context(request, proposal_id)
        scores = {key[6:]: value for key, value in form.items() if key.startswith("score_")}
        return page(request, "evaluator/total.html", {"total": weighted_total(context.get("evaluation", {}), scores)})

    @app.post("/evaluator/proposals/{proposal_id}/assessment", response_class=HTMLResponse)
    async def save_assessment(request: Request, proposal_id: str) -> Response:
        if not signed_in(request, "evaluator"):
            return to_sign_in()
        form = await form_of(request)
        _, context = await proposal_context(request, proposal_id)
        keys = [criterion["key"] for criterion in context.get("evaluation", {}).get("criteria", [])]
        scores = {key: form.get(f"score_{key}") for key in keys if form.get(f"score_{key}") not in (None, "")}
        justifications = {key: str(form.get(f"justification_{key}") or "") for key in keys}
        client_api = api(request)
        answer = await client_api.request(
            "PUT",
            f"{EVALUATION}/proposals/{proposal_id}/assessment",
            json={"scores": scores, "justifications": justifications},
        )
        if answer.ok and form.get("action") == "submit":
            answer = await client_api.request("POST", f"{EVALUATION}/proposals/{proposal_id}/assessment/submit")
            if answer.ok:
                return RedirectResponse("/evaluator?submitted=" + proposal_id, status_code=303)
        if answer.ok:
            return RedirectResponse(f"/evaluator/proposals/{proposal_id}?saved=1", status_code=303)
        context.update(
            title=N_("Assess %(acronym)s"),
            title_args={"acronym": context["proposal"].get("acronym") or proposal_id},
            own=context["proposal"].get("own_assessment") or {},
            values={"scores": scores, "justifications": justifications},
            errors=answer.field_errors() or {"": answer.detail},
            detail=answer.detail,
            total=weighted_total(context["evaluation"], scores),
        )
        return page(request, "evaluator/proposal.html", context, 422)

    # --- rapporteur (an agency) -----------------------------------------------------------------

    @app.get("/rapporteur", response_class=HTMLResponse)
    async def proposals_in_evaluation(request: Request, call_id: str | None = None) -> Response:
        if not signed_in(request, "agency"):
            return to_sign_in()
        listing = await api(request).get(f"{CALLS}/calls/all", limit=100)
        calls = [c for c in listing.body.get("items", []) if c.get("version", 0) > 0] if listing.ok else []
        chosen = next((c for c in calls if c["id"] == call_id), calls[0] if calls else None)
        proposals: list[dict[str, Any]] = []
        if chosen:
            answer = await api(request).get(f"{EVALUATION}/calls/{chosen['id']}/proposals", limit=500)
            proposals = answer.body.get("items", []) if answer.ok else []
        context = {"title": N_("Consensus"), "calls": calls, "chosen": chosen, "proposals": proposals}
        return page(request, "rapporteur/proposals.html", context)

    async def consensus_context(request: Request, proposal_id: str) -> tuple[ApiAnswer, dict[str, Any]]:
        proposal, context = await proposal_context(request, proposal_id)
        if not proposal.ok:
            return proposal, {}
        experts = await api(request).get(f"{EVALUATION}/calls/{proposal.body['call_id']}/evaluators", limit=500)
        names = {e["id"]: e["name"] for e in experts.body.get("items", [])} if experts.ok else {}
        rows = consensus_rows(context["evaluation"], proposal.body)
        consensus = proposal.body.get("consensus") or {}
        context.update(
            title=N_("Consensus on %(acronym)s"),
            title_args={"acronym": proposal.body.get("acronym") or proposal_id},
            rows=rows,
            evaluators=[(cell.evaluator_id, names.get(cell.evaluator_id, cell.evaluator_id)) for cell in rows[0].cells]
            if rows
            else [],
            statuses={a["evaluator_id"]: a["status"] for a in proposal.body.get("assessments") or []},
            consensus=consensus,
            errors={},
            values={},
        )
        return proposal, context

    @app.get("/rapporteur/proposals/{proposal_id}", response_class=HTMLResponse)
    async def consensus_page(request: Request, proposal_id: str) -> Response:
        if not signed_in(request, "agency"):
            return to_sign_in()
        answer, context = await consensus_context(request, proposal_id)
        if not answer.ok:
            text = {"title": N_("Not found"), "text": N_("This proposal is not open to you."), "detail": answer.detail}
            return page(request, "message.html", text, answer.status)
        return page(request, "rapporteur/consensus.html", context)

    @app.post("/rapporteur/proposals/{proposal_id}/consensus", response_class=HTMLResponse)
    async def save_consensus(request: Request, proposal_id: str) -> Response:
        if not signed_in(request, "agency"):
            return to_sign_in()
        form = await form_of(request)
        answer, context = await consensus_context(request, proposal_id)
        if not answer.ok:
            return RedirectResponse(f"/rapporteur/proposals/{proposal_id}", status_code=303)
        keys = [row.key for row in context["rows"]]
        finalise = form.get("action") == "finalise"
        errors: dict[str, str] = {}
        if finalise and not form.get("confirm_final"):
            errors["confirm_final"] = gettext(request, N_("Confirm that the consensus is final."))
        else:
            client_api = api(request)
            saved = await client_api.request(
                "PUT", f"{EVALUATION}/proposals/{proposal_id}/consensus", json=consensus_body(keys, form)
            )
            if saved.ok and finalise:
                saved = await client_api.request("POST", f"{EVALUATION}/proposals/{proposal_id}/consensus/finalise")
            if saved.ok:
                done = "finalised" if finalise else "saved"
                return RedirectResponse(f"/rapporteur/proposals/{proposal_id}?{done}=1", status_code=303)
            errors = consensus_field_errors(saved.body) or {"": saved.detail}
        context.update(errors=errors, values=form)
        return page(request, "rapporteur/consensus.html", context, 422)

    # --- regional officer ----------------------------------------------------------------------

    @app.get("/officer/checks", response_class=HTMLResponse)
    async def queue(
        request: Request, status: str | None = "open", verdict: str | None = None, cursor: str | None = None
    ) -> Response:
        if not signed_in(request, "region"):
            return to_sign_in()
        answer = await api(request).get(f"{ELIGIBILITY}/checks", status=status, verdict=verdict, cursor=cursor)
        items = answer.body.get("items", []) if answer.ok else []
        return page(
            request,
            "officer/checks.html",
            {
                "title": N_("Checks to decide"),
                "items": items,
                "filters": {"status": status or "", "verdict": verdict or ""},
                "next_cursor": answer.body.get("next_cursor") if answer.ok else None,
                "errors": {},
                "detail": None if answer.ok else answer.detail,
                "done": request.query_params.get("decided"),
            },
        )

    async def region_overview(request: Request) -> list[dict[str, Any]]:
        """The region's calls, each with the proposals that have its partners (their eligibility as the service
        has it) and, once the funding is decided, the region's part of the decisions."""
        client_api = api(request)
        checks = await client_api.get(f"{ELIGIBILITY}/checks", limit=500)
        proposal_ids = list(dict.fromkeys(c["proposal_id"] for c in checks.body.get("items", []))) if checks.ok else []
        calls: dict[str, dict[str, Any]] = {}
        for proposal_id in proposal_ids:
            case = await client_api.get(f"{ELIGIBILITY}/proposals/{proposal_id}")
            if not case.ok:
                continue
            call_id = case.body["call_id"]
            if call_id not in calls:
                call = await client_api.get(f"{CALLS}/calls/{call_id}")
                partners = await client_api.get(f"{INTAKE}/calls/{call_id}/partners", limit=200)
                funding = await client_api.get(f"{EVALUATION}/calls/{call_id}/funding")
                by_proposal: dict[str, list[dict[str, Any]]] = {}
                for row in partners.body.get("items", []) if partners.ok else []:
                    by_proposal.setdefault(row["proposal_id"], []).append(row["partner"])
                calls[call_id] = {
                    "id": call_id,
                    "call": call.body if call.ok else {"code": call_id, "title": ""},
                    "cases": [],
                    "partners": by_proposal,
                    "funding": funding.body if funding.ok else None,
                }
            case.body["open_checks"] = sum(1 for c in case.body["checks"] if c["verdict"] == "needs_human")
            calls[call_id]["cases"].append(case.body)
        for entry in calls.values():
            zone = (entry["call"].get("configuration") or {}).get("time_zone")
            funding = entry["funding"]
            for confirmation in (funding or {}).get("confirmations", []):
                if confirmation.get("confirmed_at"):
                    moment = datetime.fromisoformat(confirmation["confirmed_at"])
                    confirmation["confirmed_when"] = format_when(moment, zone, language_of(request))
        return list(calls.values())

    @app.get("/officer/overview", response_class=HTMLResponse)
    async def overview(request: Request) -> Response:
        if not signed_in(request, "region"):
            return to_sign_in()
        context = {"title": N_("My region's overview"), "calls": await region_overview(request), "errors": {}}
        return page(request, "officer/overview.html", context)

    @app.post("/officer/calls/{call_id}/confirmation", response_class=HTMLResponse)
    async def confirm_decisions(request: Request, call_id: str) -> Response:
        if not signed_in(request, "region"):
            return to_sign_in()
        form = await form_of(request)
        region = str(request.session.get("role", "")).split(":", 1)[-1]
        body: dict[str, Any] = {"decision": form.get("decision")}
        if form.get("funding_version"):
            body["funding_version"] = form.get("funding_version")
        if form.get("decision") == "decline":
            body.update(proposal_id=form.get("proposal_id") or None, reason=form.get("reason") or None)
        answer = await api(request).request(
            "POST", f"{EVALUATION}/calls/{call_id}/funding/regions/{region}/confirmation", json=body
        )
        if answer.ok:
            done = "declined" if form.get("decision") == "decline" else "confirmed"
            return RedirectResponse(f"/officer/overview?{done}={call_id}", status_code=303)
        errors = {f"{field}-{call_id}": message for field, message in answer.field_errors().items()}
        context = {
            "title": N_("My region's overview"),
            "calls": await region_overview(request),
            "errors": errors or {"": answer.detail},
            "values": form,
        }
        return page(request, "officer/overview.html", context, 422)

    @app.post("/officer/checks/decisions", response_class=HTMLResponse)
    async def decide(request: Request) -> Response:
        if not signed_in(request, "region"):
            return to_sign_in()
        form = await form_of(request)
        body: dict[str, Any] = {"action": form.get("action"), "reason": form.get("reason") or ""}
        if form.get("verdict"):
            body["verdict"] = form.get("verdict")
        decided, failures = 0, []
        for check_id in form.get("check_id") or []:
            answer = await api(request).request("POST", f"{ELIGIBILITY}/checks/{check_id}/decision", json=body)
            if answer.ok:
                decided += 1
            else:
                failures.append((check_id, answer))
        if not failures and decided:
            return RedirectResponse(f"/officer/checks?status=decided&decided={decided}", status_code=303)
        errors: dict[str, str] = {}
        for _, answer in failures:
            errors.update(answer.field_errors() or {"": answer.detail})
        if not decided and not failures:
            errors["check_id"] = gettext(request, N_("Select at least one check."))
        listing = await api(request).get(f"{ELIGIBILITY}/checks", status="open")
        return page(
            request,
            "officer/checks.html",
            {
                "title": N_("Checks to decide"),
                "items": listing.body.get("items", []) if listing.ok else [],
                "filters": {"status": "open", "verdict": ""},
                "next_cursor": None,
                "errors": errors,
                "values": form,
                "detail": None,
                "done": str(decided) if decided else None,
            },
            422,
        )

    return app


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
