"""Signing in and out: OpenID Connect when configured (its callback router is in `oidc.py`), else the
development sign-in page, which picks a role and scope and is marked as development only."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from shared.http.auth import issue_token, parse_role

from ..i18n import N_
from ..web import PortalDep

router = APIRouter()

SIGN_IN_OFF = {"title": N_("Sign in"), "text": N_("Development sign-in is off.")}


def _keep_only_language(request: Request) -> None:
    """A new session, keeping the language the person chose (before signing in, or while signed in)."""
    language = request.session.get("language")
    request.session.clear()
    if language:
        request.session["language"] = language


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, portal: PortalDep) -> Response:
    if portal.oidc is not None:
        return await portal.oidc.start(request, portal.message)
    if not portal.dev_sign_in:
        return portal.page(request, "message.html", SIGN_IN_OFF, 404)
    context = {"title": N_("Sign in (development only)"), "errors": {}, "values": {}}
    return portal.page(request, "sign_in.html", context)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, portal: PortalDep) -> Response:
    if not portal.dev_sign_in:
        return portal.page(request, "message.html", SIGN_IN_OFF, 404)
    form = await portal.form_of(request)
    role_text = f"{form.get('role', '')}:{str(form.get('scope') or '').strip()}".rstrip(":")
    try:
        parse_role(role_text)
    except ValueError as exc:
        context = {"title": N_("Sign in (development only)"), "errors": {"scope": str(exc)}, "values": form}
        return portal.page(request, "sign_in.html", context, 422)
    _keep_only_language(request)
    request.session["role"] = role_text
    request.session["token"] = issue_token(portal.settings.jwt_secret, role_text, subject=f"dev:{role_text}")
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out")
async def sign_out(request: Request, portal: PortalDep) -> Response:
    await portal.form_of(request)
    id_token = request.session.get("id_token")
    _keep_only_language(request)
    at_provider = await portal.oidc.sign_out_url(request, id_token) if portal.oidc is not None else None
    return RedirectResponse(at_provider or "/", status_code=303)
