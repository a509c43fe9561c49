"""Bearer JWT authentication: a role and its scope, and the person behind them.

Roles: `agency` (call administration), `region:<code>`, `consortium:<applicant id>`,
`evaluator:<id>`. Two kinds of token are accepted:
- HS256 tokens signed with the configured secret (`jointcall token`, the embedded default's development sign-in);
- with JOINTCALL_OIDC_ISSUER set, RS256/ES256 tokens of that OpenID provider, verified with its JWKS, their
  role from their claims (shared.http.oidc).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import RoleNotAllowed, Unauthenticated
from shared.http.oidc import ALGORITHMS, OidcSettings, OidcVerifier, role_of, token_algorithm
from shared.http.principal import Principal
from shared.tokens import DEFAULT_TTL_S, ISSUER, SCOPED_ROLES, Role, issue_token, parse_role

__all__ = [
    "DEFAULT_TTL_S",
    "ISSUER",
    "SCOPED_ROLES",
    "Principal",
    "Role",
    "authenticated",
    "decode_token",
    "issue_token",
    "optional_principal",
    "parse_role",
    "require",
]


def decode_token(token: str, secret: str, algorithm: str = "HS256") -> Principal:
    """The token's principal; Unauthenticated if it is not a valid, unexpired token signed with `secret`.

    A token verified once is remembered (its exact text, with the secret and algorithm) until it expires:
    its signature, issuer and claims cannot change, and a not-before or issued-at time that has passed stays
    passed, so a later request with the same token only has its expiry checked again, as PyJWT does it
    (valid while now < exp). Invalid tokens are never remembered.
    """
    key = (token, secret, algorithm)
    remembered = _remembered(key)
    if remembered is not None:
        return remembered
    principal, expires_at = _verify(token, secret, algorithm)
    return _remember(key, principal, expires_at)


# (token, secret, algorithm) -> (principal, expiry as a POSIX timestamp): what decode_token verified.
_VERIFIED: dict[tuple[str, str, Any], tuple[Principal, float]] = {}
_VERIFIED_MAX = 4096


def _remembered(key: tuple[str, str, Any]) -> Principal | None:
    """The principal of a token verified before and not expired yet (an expired one is forgotten)."""
    verified = _VERIFIED.get(key)
    if verified is None:
        return None
    principal, expires_at = verified
    if time.time() < expires_at:
        return principal
    _VERIFIED.pop(key, None)
    return None


def _remember(key: tuple[str, str, Any], principal: Principal, expires_at: float) -> Principal:
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.pop(next(iter(_VERIFIED)), None)  # the oldest
    _VERIFIED[key] = (principal, expires_at)
    return principal


def _verify(token: str, secret: str, algorithm: str) -> tuple[Principal, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=[algorithm], issuer=ISSUER, options={"require": ["exp"]})
        role, scope = parse_role(f"{claims['role']}:{claims['scope']}" if claims.get("scope") else claims["role"])
        expires_at = float(claims["exp"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("The token has expired.") from exc
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise Unauthenticated(f"The token is not valid: {exc}.") from exc
    return Principal(role=role, scope=scope, subject=str(claims.get("sub", ""))), expires_at


_bearer = HTTPBearer(
    auto_error=False, description="JWT issued by `jointcall token <role>`, or by the OpenID provider configured"
)


async def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    return await _principal(request, credentials)


async def _principal(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("A bearer token is required.")
    settings = request.app.state.settings
    oidc: OidcSettings | None = getattr(settings, "oidc", None)
    token = credentials.credentials
    if oidc is not None and oidc.enabled and token_algorithm(token) in ALGORITHMS:
        return await decode_oidc_token(token, oidc_verifier(request.app, oidc))
    return decode_token(token, settings.jwt_secret, settings.jwt_algorithm)


def oidc_verifier(app: FastAPI, settings: OidcSettings) -> OidcVerifier:
    """The app's verifier of the provider's tokens (one per app: it caches the provider's key set)."""
    verifier: OidcVerifier | None = getattr(app.state, "oidc_verifier", None)
    if verifier is None or verifier.settings is not settings:
        verifier = OidcVerifier(settings)
        app.state.oidc_verifier = verifier
    return verifier


async def decode_oidc_token(token: str, verifier: OidcVerifier) -> Principal:
    """The principal of a token of the OpenID provider: its subject, and the role its claims map to.

    Remembered until it expires, as decode_token does (with its verifier, whose settings hold the role mapping)."""
    key = (token, verifier.issuer, verifier)
    remembered = _remembered(key)
    if remembered is not None:
        return remembered
    checked = await verifier.verify(token)
    role, scope = parse_role(role_of(checked.claims, verifier.settings))
    principal = Principal(role=role, scope=scope, subject=str(checked.claims["sub"]))
    return _remember(key, principal, checked.expires_at)


async def optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The caller if a token came with the request (public pages show more to an agency)."""
    if credentials is None:
        return None
    return await _principal(request, credentials)


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only the given roles through (403 for the others).

    It reads the bearer credentials itself (as `authenticated` does) rather than depending on `authenticated`:
    one level of dependencies less for FastAPI to solve on every request; the same security scheme.
    """

    async def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Principal:
        principal = await _principal(request, credentials)
        if principal.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise RoleNotAllowed(
                f"This needs one of the roles: {allowed}; the token has {principal.label}.",
                extra={"allowed_roles": [role.value for role in roles]},
            )
        return principal

    return dependency
