"""What every page of the portal shares: the templates per language, the API client with the signed-in
person's token, the CSRF-checked form, the role a page needs, and the page itself.

Each group of pages is a router in `pages/`; a route takes `PortalDep` (this module's `Portal`) and, when it
needs a signed-in person, one of the role aliases (`EvaluatorSession`, `AgencySession`, `RegionSession`,
`ConsortiumSession`): without the role the person is sent to sign in.
"""

from __future__ import annotations

import asyncio
import functools
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .api_client import Api, ApiAnswer
from .i18n import LANGUAGES, format_money, format_when, negotiate, translations
from .oidc import OidcSignIn, forget_if_expired, person_of
from .settings import PortalSettings

HERE = Path(__file__).parent
# The services' public APIs, by the path prefix they have on the embedded default.
EVALUATION = "/joint-evaluation"
ELIGIBILITY = "/regional-eligibility"
CALLS = "/call-definition"
INTAKE = "/proposal-intake"
MONITORING = "/project-monitoring"
S3 = "/s3-strategy"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class CsrfError(Exception):
    """A form came without the session's CSRF token."""


class SignInRequired(Exception):
    """The page needs a signed-in person with another role."""


def template_sets() -> dict[str, Jinja2Templates]:
    """One template environment per language, its catalogue installed (gettext, ngettext) and its formats."""
    sets = {}
    for language in LANGUAGES:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, extensions=["jinja2.ext.i18n"]
        )
        environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
        environment.filters["money"] = functools.partial(_money, language=language)
        environment.filters["when"] = functools.partial(_when, language=language)
        environment.globals["language"] = language
        environment.globals["languages"] = LANGUAGES
        sets[language] = Jinja2Templates(env=environment)
    return sets


def _money(amount: Any, currency: str | None = None, *, language: str) -> str:
    if isinstance(amount, dict):  # a Money object as the APIs present it
        amount, currency = amount.get("amount"), amount.get("currency")
    return format_money(amount, currency, language)


def _when(moment: str | None, zone: str | None = None, *, language: str) -> str:
    """An instant as the APIs give it (ISO 8601) in the call's zone, written the language's way."""
    if not moment:
        return ""
    return format_when(datetime.fromisoformat(moment), zone, language)


def local_path(target: str | None) -> str:
    """Where to go back to after the language switch: a path on this site only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def role_of(request: Request) -> str:
    """The signed-in person's role without its scope ("region" of "region:AT-4"), "" when nobody is."""
    return str(request.session.get("role", "")).split(":")[0]


def scope_of(request: Request) -> str:
    """The signed-in person's scope ("AT-4" of "region:AT-4"), "" without one."""
    return str(request.session.get("role", "")).partition(":")[2]


class Portal:
    """The portal's shared parts, one per app (on `app.state.portal`)."""

    def __init__(self, settings: PortalSettings, client: httpx.AsyncClient, oidc: OidcSignIn | None) -> None:
        self.settings = settings
        self.client = client
        self.oidc = oidc
        # The development sign-in page only without OpenID Connect.
        self.dev_sign_in = settings.dev_sign_in and oidc is None
        self.templates = template_sets()
        # Published calls as call_definition answered, by id: (when, the answer's JSON), kept call_cache_s.
        self._calls: dict[str, tuple[float, str]] = {}
        self._call_locks: dict[str, asyncio.Lock] = {}

    def api(self, request: Request) -> Api:
        return Api(self.client, request.session.get("token"), self.settings.service_urls)

    async def call(self, request: Request, call_id: str) -> ApiAnswer:
        """A call as call_definition shows it. Once published a call is public (the same answer for everyone), so
        its answer is kept `call_cache_s` seconds and shared by every page and person: the scoring forms of 50
        evaluators of one call ask for it once, not 50 times. A draft (only an agency's to read) is never kept.
        Each page gets its own copy, parsed from the kept JSON, so no page changes another's."""
        kept = self._kept_call(call_id)
        if kept is not None:
            return kept
        lock = self._call_locks.setdefault(call_id, asyncio.Lock())
        async with lock:  # one request asks for it; the pages waiting meanwhile take its answer
            kept = self._kept_call(call_id)
            if kept is not None:
                return kept
            answer = await self.api(request).get(f"{CALLS}/calls/{call_id}")
            if answer.ok and isinstance(answer.body, dict) and answer.body.get("status") not in (None, "draft"):
                if len(self._calls) >= 256:
                    self._calls.pop(next(iter(self._calls)))
                self._calls[call_id] = (time.monotonic(), json.dumps(answer.body))
            return answer

    def _kept_call(self, call_id: str) -> ApiAnswer | None:
        kept = self._calls.get(call_id)
        if kept is None or time.monotonic() - kept[0] >= self.settings.call_cache_s:
            return None
        return ApiAnswer(200, json.loads(kept[1]))

    @staticmethod
    def language_of(request: Request) -> str:
        return negotiate(request.session.get("language"), request.headers.get("accept-language"))

    def gettext(self, request: Request, message: str) -> str:
        return str(translations(self.language_of(request)).gettext(message))

    @staticmethod
    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return str(token)

    @staticmethod
    async def form_of(request: Request, lists: tuple[str, ...] = ("check_id",)) -> dict[str, Any]:
        """The form's fields (those named in `lists` as lists of values), once its CSRF token is checked."""
        form = await request.form()
        sent = form.get("csrf_token")
        if not sent or not secrets.compare_digest(str(sent), str(request.session.get("csrf", ""))):
            raise CsrfError
        return {key: form.getlist(key) if key in lists else form.get(key) for key in form}

    def page(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        language = self.language_of(request)
        context = {
            "person": person_of(request.session),
            "csrf_token": self.csrf_token(request),
            "dev_sign_in": self.dev_sign_in or self.oidc is not None,  # whether to offer "Sign in"
            "title_args": {},
            **context,
        }
        response = self.templates[language].TemplateResponse(request, name, context, status_code=status)
        response.headers["Content-Language"] = language
        response.headers["Vary"] = "Accept-Language, Cookie"
        return response

    def message(self, request: Request, title: str, text: str, status: int = 200) -> HTMLResponse:
        return self.page(request, "message.html", {"title": title, "text": text}, status)


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


PortalDep = Annotated[Portal, Depends(portal_of)]


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as a page that needs a role sees them."""

    role: str
    scope: str


def signed_in_as(role: str) -> Any:
    def check(request: Request) -> SignedIn:
        forget_if_expired(request.session)
        if role_of(request) != role:
            raise SignInRequired
        return SignedIn(role, scope_of(request))

    return Depends(check)


EvaluatorSession = Annotated[SignedIn, signed_in_as("evaluator")]
AgencySession = Annotated[SignedIn, signed_in_as("agency")]
RegionSession = Annotated[SignedIn, signed_in_as("region")]
ConsortiumSession = Annotated[SignedIn, signed_in_as("consortium")]
