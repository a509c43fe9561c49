"""OpenID Connect tokens: verifying a provider's RS256/ES256 JWTs with its JWKS, and mapping their claims to a
jointcall role and scope.

The provider is named by its issuer URL (JOINTCALL_OIDC_ISSUER); its discovery document
(`<issuer>/.well-known/openid-configuration`) names the JWKS. The key set is cached; a token signed with a key
id the cache does not know makes the verifier fetch the key set again (the provider rotated its keys), at most
once per `jwks_min_refresh_s`, so tokens with made-up key ids cannot make the service hammer the provider.

Roles come from one claim (`roles_claim`, a dotted path such as `groups` or `realm_access.roles`): each value
that starts with `role_prefix` is a jointcall role as `jointcall token` takes it (`jointcall:agency`,
`jointcall:region:AT-T`, `jointcall:evaluator:7`), and `role_map` maps other values (a provider's group names)
to one. A token must come to exactly one role.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import Forbidden, ServiceError, Unauthenticated
from shared.http.principal import parse_role

DISCOVERY_PATH = "/.well-known/openid-configuration"
ALGORITHMS = ("RS256", "ES256")


class OidcSettings(BaseSettings):
    """JOINTCALL_OIDC_* variables, read by the services (token verification) and the portal (sign-in)."""

    model_config = SettingsConfigDict(env_prefix="JOINTCALL_OIDC_", extra="ignore", frozen=True)

    issuer: str | None = Field(default=None, description="The provider's issuer URL; unset: no OpenID Connect")
    audience: str | None = Field(
        default=None, description="The `aud` the services require in access tokens (the API's identifier)"
    )
    client_id: str | None = Field(default=None, description="The portal's client id at the provider")
    client_secret: str | None = Field(default=None, description="The portal's client secret (confidential client)")
    scopes: str = Field(default="openid profile email", description="What the portal asks for at sign-in")
    resource: str | None = Field(
        default=None, description="Sent as `resource` (RFC 8707) at sign-in, for providers that need it"
    )
    redirect_uri: str | None = Field(
        default=None, description="The portal's callback URL as registered; default: from the request"
    )
    roles_claim: str = Field(default="groups", description="The claim (dotted path) that holds the roles")
    role_prefix: str = Field(default="jointcall:", description="Values with this prefix name a role directly")
    role_map: dict[str, str] = Field(
        default_factory=dict, description="Other claim values -> a role, e.g. {'/funding/officers': 'agency'}"
    )
    leeway_s: int = Field(default=60, ge=0, le=300, description="Clock skew allowed on exp/nbf/iat")
    jwks_min_refresh_s: float = Field(default=30, ge=0, description="Fetch the key set at most this often")
    jwks_max_age_s: float = Field(default=3600, gt=0, description="Fetch the key set again after this long")

    @property
    def enabled(self) -> bool:
        return bool(self.issuer)

    @model_validator(mode="after")
    def _audience_with_issuer(self) -> OidcSettings:
        if self.issuer and not self.audience:
            raise ValueError("JOINTCALL_OIDC_AUDIENCE is required with JOINTCALL_OIDC_ISSUER")
        for value, role in self.role_map.items():
            try:
                parse_role(role)
            except ValueError as exc:
                raise ValueError(f"JOINTCALL_OIDC_ROLE_MAP[{value!r}]: {exc}") from exc
        return self


class IdentityProviderUnavailable(
    ServiceError, status=503, slug="identity-provider-unavailable", title="The identity provider cannot be reached"
): ...


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """`realm_access.roles` -> claims["realm_access"]["roles"]; None where the path ends."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def roles_of(claims: Mapping[str, Any], settings: OidcSettings) -> list[str]:
    """The jointcall roles (`region:AT-T`, ...) the claims name, each once, in the order they come."""
    raw = claim_at(claims, settings.roles_claim)
    values = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else []
    found: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        if value in settings.role_map:
            role = settings.role_map[value]
        elif value.startswith(settings.role_prefix):  # an empty prefix: the values are roles as they are
            role = value[len(settings.role_prefix) :]
        else:
            continue
        try:
            parse_role(role)
        except ValueError:
            continue  # a value that looks like a role but is none: not ours to guess
        if role not in found:
            found.append(role)
    return found


def role_of(claims: Mapping[str, Any], settings: OidcSettings) -> str:
    """The one jointcall role the claims name; Forbidden if they name none or several."""
    roles = roles_of(claims, settings)
    who = claims.get("sub", "?")
    if not roles:
        raise Forbidden(f"The token of {who} names no jointcall role in its claim {settings.roles_claim!r}.")
    if len(roles) > 1:
        raise Forbidden(f"The token of {who} names several jointcall roles ({', '.join(roles)}); it needs one.")
    return roles[0]


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    expires_at: float


class OidcVerifier:
    """Verifies the provider's JWTs: signature (its JWKS), iss, aud, exp/nbf/iat with the settings' leeway."""

    def __init__(
        self,
        settings: OidcSettings,
        *,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.issuer:
            raise ValueError("OidcVerifier needs an issuer")
        self.settings = settings
        self.issuer: str = settings.issuer
        self._client_factory = client_factory or (lambda: httpx.AsyncClient(timeout=10))
        self._clock = clock
        self._discovery: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._kids: frozenset[str] = frozenset()
        self._fetched_at = float("-inf")
        self._fetching: asyncio.Task[None] | None = None
        self.jwks_fetches = 0  # how often the key set was fetched (for tests and logs)

    async def discovery(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once; its `issuer` must be the configured one)."""
        if self._discovery is None:
            document = await self._get_json(self.issuer.rstrip("/") + DISCOVERY_PATH)
            if document.get("issuer") != self.issuer:
                raise IdentityProviderUnavailable(
                    f"The discovery document names the issuer {document.get('issuer')!r}, not {self.issuer!r}."
                )
            self._discovery = document
        return self._discovery

    async def verify(self, token: str, *, audience: str | None = None, nonce: str | None = None) -> VerifiedToken:
        """The token's claims; Unauthenticated if it is not a valid token of the provider for `audience`
        (default: the settings' audience)."""
        try:
            header = _header_of(token)
        except (ValueError, TypeError) as exc:
            raise Unauthenticated(f"The token is not valid: {exc}.") from exc
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated(f"The token is not valid: algorithm {header.get('alg')!r} is not accepted.")
        kid = header.get("kid")
        keys = await self._keys_for(kid if isinstance(kid, str) else None)
        try:
            decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        except JoseError as exc:
            raise Unauthenticated(f"The token is not valid: {exc.description or exc.error}.") from exc
        except (ValueError, TypeError) as exc:  # e.g. no key of the token's algorithm, a payload that is no JSON
            raise Unauthenticated(f"The token is not valid: {exc}.") from exc
        claims = dict(decoded.claims)
        expected: dict[str, Any] = {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": audience or self.settings.audience},
            "exp": {"essential": True},
            "sub": {"essential": True},
        }
        if nonce is not None:
            expected["nonce"] = {"essential": True, "value": nonce}
        registry = jwt.JWTClaimsRegistry(now=lambda: int(self._clock()), leeway=self.settings.leeway_s, **expected)
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise Unauthenticated("The token has expired.") from exc
        except JoseError as exc:
            raise Unauthenticated(f"The token is not valid: {exc.description or exc.error}.") from exc
        return VerifiedToken(claims=claims, expires_at=float(claims["exp"]) + self.settings.leeway_s)

    async def _keys_for(self, kid: str | None) -> KeySet:
        now = self._clock()
        stale = now - self._fetched_at >= self.settings.jwks_max_age_s
        unknown = kid is not None and kid not in self._kids
        may_refetch = now - self._fetched_at >= self.settings.jwks_min_refresh_s
        if self._keys is None or (unknown and may_refetch):
            await self._refresh()
        elif stale:
            # If the provider does not answer, the keys it had still verify; it is asked again after min_refresh.
            with contextlib.suppress(IdentityProviderUnavailable):
                await self._refresh()
        if self._keys is None:
            raise IdentityProviderUnavailable("The provider's key set could not be fetched.")
        if kid is not None and kid not in self._kids:
            raise Unauthenticated(f"The token is not valid: the provider has no key {kid!r}.")
        return self._keys

    async def _refresh(self) -> None:
        """Fetch the key set; concurrent callers wait for the one fetch under way."""
        if self._fetching is None or self._fetching.done():
            self._fetching = asyncio.ensure_future(self._fetch_keys())
        fetching = self._fetching
        await asyncio.shield(fetching)

    async def _fetch_keys(self) -> None:
        self._fetched_at = self._clock()  # before the fetch: a failing provider is not asked again at once
        document = await self.discovery()
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise IdentityProviderUnavailable("The provider's discovery document names no jwks_uri.")
        key_set = await self._get_json(jwks_uri)
        self.jwks_fetches += 1
        try:
            usable = [key for key in key_set.get("keys", []) if key.get("use", "sig") == "sig"]
            keys = KeySet.import_key_set({"keys": usable})
        except (JoseError, ValueError, TypeError, AttributeError) as exc:
            raise IdentityProviderUnavailable(f"The provider's key set is not valid: {exc}.") from exc
        self._keys = keys
        self._kids = frozenset(key.kid for key in keys if key.kid)

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with self._client_factory() as client:
                response = await client.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise IdentityProviderUnavailable(f"The identity provider did not answer {url}: {exc}.") from exc
        if not isinstance(body, dict):
            raise IdentityProviderUnavailable(f"The identity provider's {url} is not a JSON object.")
        return body


def _header_of(token: str) -> dict[str, Any]:
    head = token.split(".", 1)[0]
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    if not isinstance(header, dict):
        raise ValueError("its header is not a JSON object")
    return header


def token_algorithm(token: str) -> str | None:
    """The `alg` of a JWT's header, None if the text is no JWT."""
    try:
        alg = _header_of(token).get("alg")
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    return alg if isinstance(alg, str) else None
