"""Pages anyone may open: the home page (each role lands on its own), the accessibility statement, the
language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..i18n import LANGUAGES, N_
from ..web import PortalDep, local_path, role_of

router = APIRouter()

# Where each role lands after signing in.
LANDING = {"evaluator": "/evaluator", "region": "/officer/checks", "agency": "/rapporteur", "consortium": "/consortium"}


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, portal: PortalDep) -> Response:
    landing = LANDING.get(role_of(request))
    if landing:
        return RedirectResponse(landing, status_code=303)
    return portal.page(request, "home.html", {"title": N_("jointcall portal")})


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request, portal: PortalDep) -> Response:
    return portal.page(request, "accessibility.html", {"title": N_("Accessibility statement")})


@router.get("/language/{language}")
async def choose_language(request: Request, language: str, back: str | None = None) -> Response:
    """The language switch: remembered in the session, then back to the page it was used on."""
    if language in LANGUAGES:
        request.session["language"] = language
    return RedirectResponse(local_path(back), status_code=303)
