"""The portal app: web pages for every role over the services' public APIs.

It holds no business data: a signed cookie keeps who is signed in (and their token); every page asks the
service that owns the data, with that token, so every authorisation rule stays where it is. The pages are
routers in `pages/`, one per group of people; what they share is in `web.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from .i18n import N_
from .oidc import OidcSignIn
from .pages import (
    applicant,
    dashboard,
    evaluator,
    monitoring,
    officer,
    public,
    rapporteur,
    secretariat,
    selection,
    sign_in,
)
from .settings import PortalSettings
from .web import CSP, HERE, CsrfError, Portal, SignInRequired

PAGES = (
    public.router,
    sign_in.router,
    evaluator.router,
    rapporteur.router,
    officer.router,
    applicant.router,
    secretariat.router,
    dashboard.router,
    selection.router,
    monitoring.router,
)


def create_app(settings: PortalSettings | None = None, *, api_client: httpx.AsyncClient | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    app = FastAPI(title="jointcall portal", docs_url=None, redoc_url=None, openapi_url=None)
    client = api_client or httpx.AsyncClient(base_url=settings.api_base_url, timeout=30)
    # OpenID Connect when configured; the development sign-in page only without it.
    oidc = OidcSignIn(settings.oidc) if settings.oidc.enabled else None
    portal = Portal(settings, client, oidc)
    app.state.portal = portal

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

    @app.exception_handler(CsrfError)
    async def refused(request: Request, _exc: CsrfError) -> Response:
        context = {"title": N_("The form has expired"), "text": N_("Please try again.")}
        return portal.page(request, "message.html", context, 403)

    @app.exception_handler(SignInRequired)
    async def to_sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/sign-in", status_code=303)

    if oidc is not None:
        app.include_router(oidc.router(portal.message))
    for router in PAGES:
        app.include_router(router)
    return app
