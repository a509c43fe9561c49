"""Signing in to the portal with OpenID Connect: the authorization code flow with PKCE (RFC 7636).

`/sign-in` sends the person to the provider with a fresh state, nonce and code challenge kept in the signed
session; the provider sends them back to `/sign-in/callback`, where the state must match, the code is exchanged
(with the code verifier and the client's secret) for an ID token and an access token, the ID token is verified
(signature with the provider's JWKS, iss, aud = the client id, exp, the nonce) and so is the access token (as
the APIs will: aud = the API's audience, its role from its claims). The session then holds the access token
(the portal calls the APIs with it), the ID token (the hint at logout) and the role.

Signing out ends the portal's session and, if the provider offers an end_session_endpoint, sends the person
there (OpenID Connect RP-Initiated Logout) to end the provider's session too, back to `/signed-out`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from shared.errors import ServiceError
from shared.http.oidc import IdentityProviderUnavailable, OidcSettings, OidcVerifier, role_of

from .i18n import N_

Message = Callable[[Request, str, str, int], Response]
PENDING = "oidc_pending"
COOKIE_TOKENS_MAX = 2600  # characters of tokens in the session cookie (base64 of the session, signed: < 4096)


def code_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcSignIn:
    def __init__(
        self,
        settings: OidcSettings,
        *,
        verifier: OidcVerifier | None = None,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        if not settings.issuer or not settings.client_id:
            raise ValueError("OpenID Connect sign-in needs JOINTCALL_OIDC_ISSUER and JOINTCALL_OIDC_CLIENT_ID")
        self.settings = settings
        self.client_id: str = settings.client_id
        self._client_factory = client_factory or (lambda: httpx.AsyncClient(timeout=10))
        self.verifier = verifier or OidcVerifier(settings, client_factory=self._client_factory)

    def redirect_uri(self, request: Request) -> str:
        return self.settings.redirect_uri or str(request.url_for("oidc_callback"))

    async def start(self, request: Request, message: Message) -> Response:
        """Off to the provider's authorization endpoint (a message page if the provider cannot be reached)."""
        try:
            discovery = await self.verifier.discovery()
        except IdentityProviderUnavailable as exc:
            return message(request, N_("Sign-in is unavailable"), exc.detail, exc.status)
        state, nonce, code_verifier = (secrets.token_urlsafe(32) for _ in range(3))
        request.session[PENDING] = {"state": state, "nonce": nonce, "code_verifier": code_verifier}
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri(request),
            "scope": self.settings.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        if self.settings.resource:
            params["resource"] = self.settings.resource
        return RedirectResponse(f"{discovery['authorization_endpoint']}?{urlencode(params)}", status_code=303)

    async def finish(self, request: Request) -> dict[str, Any]:
        """The session's content after the provider sent the person back; SignInFailed when it cannot be."""
        pending = request.session.pop(PENDING, None)
        query = request.query_params
        if query.get("error"):
            why = query.get("error_description") or query["error"]
            raise SignInFailed(f"The identity provider refused the sign-in: {why}.")
        if not isinstance(pending, dict) or not query.get("state"):
            raise SignInFailed("This sign-in was not started here, or it was already used. Please sign in again.")
        if not secrets.compare_digest(str(query["state"]), str(pending["state"])):
            raise SignInFailed("The sign-in came back with another state than it left with. Please sign in again.")
        if not query.get("code"):
            raise SignInFailed("The identity provider sent no authorization code.")
        tokens = await self._exchange(request, str(query["code"]), str(pending["code_verifier"]))
        id_token = await self.verifier.verify(str(tokens["id_token"]), audience=self.client_id, nonce=pending["nonce"])
        access = await self.verifier.verify(str(tokens["access_token"]))
        role = role_of(access.claims, self.settings)
        claims = id_token.claims
        session = {
            "role": role,
            "token": tokens["access_token"],
            "subject": claims["sub"],
            "name": claims.get("name") or claims.get("preferred_username") or claims.get("email") or claims["sub"],
            "expires_at": access.expires_at,
        }
        # A browser drops a cookie above 4 KB: the ID token (only the hint at logout, where the client id also
        # serves) is kept only while both tokens fit.
        if len(str(tokens["access_token"])) + len(str(tokens["id_token"])) <= COOKIE_TOKENS_MAX:
            session["id_token"] = tokens["id_token"]
        return session

    async def _exchange(self, request: Request, code: str, code_verifier: str) -> dict[str, Any]:
        discovery = await self.verifier.discovery()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri(request),
            "code_verifier": code_verifier,
        }
        options: dict[str, Any] = {}
        if self.settings.client_secret:
            options["auth"] = httpx.BasicAuth(self.client_id, self.settings.client_secret)  # client_secret_basic
        else:
            form["client_id"] = self.client_id  # a public client: PKCE alone
        try:
            async with self._client_factory() as client:
                response = await client.post(discovery["token_endpoint"], data=form, **options)
        except httpx.HTTPError as exc:
            raise IdentityProviderUnavailable(f"The identity provider's token endpoint did not answer: {exc}.") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict):
            what = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
            raise SignInFailed(f"The identity provider did not exchange the code: {what or response.status_code}.")
        if not body.get("id_token") or not body.get("access_token"):
            raise SignInFailed("The identity provider sent no ID token or no access token.")
        return body

    async def sign_out_url(self, request: Request, id_token: str | None) -> str | None:
        """Where to send the person to end the provider's session too (None: it offers no end_session_endpoint)."""
        try:
            endpoint = (await self.verifier.discovery()).get("end_session_endpoint")
        except IdentityProviderUnavailable:
            return None
        if not isinstance(endpoint, str):
            return None
        params = {"client_id": self.client_id, "post_logout_redirect_uri": str(request.url_for("signed_out"))}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(params)}"

    def router(self, message: Message) -> APIRouter:
        """The callback and signed-out pages; `message` renders a titled message page."""
        router = APIRouter()

        @router.get("/sign-in/callback", name="oidc_callback", include_in_schema=False)
        async def callback(request: Request) -> Response:
            try:
                session = await self.finish(request)
            except SignInFailed as exc:
                return message(request, N_("Sign-in failed"), str(exc), 400)
            except ServiceError as exc:  # the token's role (403), the provider unreachable (503), a token refused
                return message(request, N_("Sign-in failed"), exc.detail, exc.status)
            request.session.clear()
            request.session.update(session)
            return RedirectResponse("/", status_code=303)

        @router.get("/signed-out", name="signed_out", include_in_schema=False)
        async def signed_out(request: Request) -> Response:
            return message(
                request, N_("Signed out"), N_("You are signed out of jointcall and of your identity provider."), 200
            )

        return router


class SignInFailed(Exception):
    """The provider's answer does not complete a sign-in (state, code, tokens); the person may try again."""


def forget_if_expired(session: dict[str, Any], now: float | None = None) -> None:
    """A session whose access token has expired is signed out (the APIs would refuse the token)."""
    expires_at = session.get("expires_at")
    if expires_at is not None and float(expires_at) <= (time.time() if now is None else now):
        session.clear()


def person_of(session: dict[str, Any]) -> str | None:
    """Who the header says is signed in: the role, and the person's name when the provider gave one."""
    role = session.get("role")
    if not role:
        return None
    name = session.get("name")
    return f"{name} ({role})" if name else str(role)
