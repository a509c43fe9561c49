"""The OpenID Connect pieces that need no provider process: the claim -> role mapping, how a principal appears in
the audit, PKCE, and the verifier's checks on tokens signed here with keys served by an in-test key set (the
flow against a real provider is in tests/oidc)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey
from pydantic import ValidationError

from services.portal.oidc import code_challenge, forget_if_expired
from shared.errors import Forbidden, Unauthenticated
from shared.http.oidc import (
    IdentityProviderUnavailable,
    OidcSettings,
    OidcVerifier,
    claim_at,
    role_of,
    roles_of,
    token_algorithm,
)
from shared.http.principal import Principal, Role

ISSUER = "https://idp.example.test/realms/jointcall"
AUDIENCE = "jointcall-api"
SETTINGS = OidcSettings(issuer=ISSUER, audience=AUDIENCE, leeway_s=30, jwks_min_refresh_s=60)


def test_roles_come_from_prefixed_values_and_the_configured_map() -> None:
    settings = OidcSettings(role_map={"/funding/officers/tyrol": "region:AT-7"})
    claims = {"groups": ["staff", "jointcall:evaluator:e-9", "/funding/officers/tyrol", "jointcall:evaluator:e-9"]}
    assert roles_of(claims, settings) == ["evaluator:e-9", "region:AT-7"]
    assert roles_of({"groups": "jointcall:agency other"}, settings) == ["agency"]  # a space-separated claim
    # values that look like roles but are none are not guessed at
    assert roles_of({"groups": ["jointcall:region", "jointcall:admin", "jointcall:agency:x", 7]}, settings) == []


def test_a_nested_claim_names_the_roles_keycloak_style() -> None:
    settings = OidcSettings(roles_claim="resource_access.jointcall.roles", role_prefix="")
    claims = {"resource_access": {"jointcall": {"roles": ["agency"]}, "account": {"roles": ["view-profile"]}}}
    assert claim_at(claims, "resource_access.jointcall.roles") == ["agency"]
    assert claim_at(claims, "resource_access.nothing.roles") is None
    assert role_of({"sub": "k-1", **claims}, settings) == "agency"


def test_a_token_must_come_to_exactly_one_role() -> None:
    with pytest.raises(Forbidden, match="names no jointcall role in its claim 'groups'"):
        role_of({"sub": "u-1", "groups": ["staff"]}, SETTINGS)
    with pytest.raises(Forbidden, match=r"several jointcall roles \(agency, region:AT-4\)"):
        role_of({"sub": "u-1", "groups": ["jointcall:agency", "jointcall:region:AT-4"]}, SETTINGS)


def test_settings_refuse_an_issuer_without_audience_and_a_map_to_no_role() -> None:
    with pytest.raises(ValidationError, match="JOINTCALL_OIDC_AUDIENCE is required"):
        OidcSettings(issuer=ISSUER)
    with pytest.raises(ValidationError, match="needs a scope"):
        OidcSettings(role_map={"officers": "region"})


def test_the_audit_names_the_person_and_the_role() -> None:
    assert Principal(Role.REGION, "AT-4", "f3a1-77").actor == "region:AT-4 (f3a1-77)"
    assert Principal(Role.AGENCY, None, "agency").actor == "agency"  # `jointcall token agency`: no person named
    assert Principal(Role.AGENCY, None, "").actor == "agency"
    long = Principal(Role.EVALUATOR, "e-1", "x" * 500).actor
    assert len(long) == 200 and long.startswith("evaluator:e-1 (xxx") and long.endswith("…)")


def test_pkce_s256_matches_rfc_7636() -> None:
    assert (
        code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_a_portal_session_ends_with_its_access_token() -> None:
    session: dict[str, Any] = {"role": "agency", "token": "t", "expires_at": 1000.0}
    forget_if_expired(session, now=999.0)
    assert session["role"] == "agency"
    forget_if_expired(session, now=1000.0)
    assert session == {}
    development = {"role": "agency", "token": "t"}  # the development sign-in's HS256 token: no expiry kept
    forget_if_expired(development, now=1e12)
    assert development["role"] == "agency"


class KeyServer:
    """Discovery and JWKS served in process (httpx.MockTransport), counting the key set's fetches."""

    def __init__(self, keys: list[Any], issuer: str = ISSUER) -> None:
        self.keys = keys
        self.issuer = issuer
        self.jwks_requests = 0
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"issuer": self.issuer, "jwks_uri": f"{ISSUER}/certs"})
        if request.url.path.endswith("/certs"):
            self.jwks_requests += 1
            return httpx.Response(200, json={"keys": [key.as_dict(private=False) for key in self.keys]})
        return httpx.Response(404)

    def verifier(self, settings: OidcSettings = SETTINGS, clock: Any = time.time) -> OidcVerifier:
        transport = httpx.MockTransport(self.handler)
        return OidcVerifier(settings, client_factory=lambda: httpx.AsyncClient(transport=transport), clock=clock)


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, {"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


def signed(key: Any, alg: str = "RS256", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "p-1", "iat": now, "exp": now + 300, **overrides}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)


async def test_rs256_and_es256_tokens_verify_and_their_claims_are_checked() -> None:
    rsa = rsa_key("r1")
    ec = ECKey.generate_key("P-256", {"kid": "e1", "use": "sig", "alg": "ES256"}, private=True)
    verifier = KeyServer([rsa, ec]).verifier()
    assert (await verifier.verify(signed(rsa))).claims["sub"] == "p-1"
    assert (await verifier.verify(signed(ec, "ES256", aud=["other", AUDIENCE]))).claims["sub"] == "p-1"
    now = int(time.time())
    refusals = {
        "another issuer": signed(rsa, iss="https://evil.test"),
        "another audience": signed(rsa, aud="another-api"),
        "no audience": signed(rsa, aud=None),
        "no subject": signed(rsa, sub=None),
        "no expiry": signed(rsa, exp=None),
        "not yet valid beyond the leeway": signed(rsa, nbf=now + 120),
    }
    for why, token in refusals.items():
        with pytest.raises(Unauthenticated, match="not valid"):
            await verifier.verify(token)
            pytest.fail(f"accepted a token with {why}")
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(signed(rsa, exp=now - 31))
    # within the leeway (30 s here) a clock skew is forgiven
    assert await verifier.verify(signed(rsa, exp=now - 10, nbf=now + 10))


async def test_a_token_signed_with_another_key_or_algorithm_is_refused() -> None:
    served, stranger = rsa_key("same-kid"), rsa_key("same-kid")
    verifier = KeyServer([served]).verifier()
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(signed(stranger))
    hs = jwt.encode(
        {"alg": "HS256"}, {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": 2**31}, OctKey.import_key("secret" * 6)
    )
    assert token_algorithm(hs) == "HS256"
    with pytest.raises(Unauthenticated, match="algorithm 'HS256' is not accepted"):
        await verifier.verify(hs)
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify("not a token")
    assert token_algorithm("not a token") is None


async def test_an_unknown_kid_fetches_the_key_set_again_at_most_once_per_interval() -> None:
    now = [1_000_000.0]
    old, new = rsa_key("old"), rsa_key("new")
    server = KeyServer([old])
    clock = lambda: now[0]  # noqa: E731
    verifier = server.verifier(clock=clock)
    issued = int(now[0])
    token_of = lambda key: signed(key, iat=issued, exp=issued + 10_000)  # noqa: E731
    await verifier.verify(token_of(old))
    assert server.jwks_requests == 1
    server.keys = [old, new]  # rotated
    now[0] += 5  # within jwks_min_refresh_s (60): the new kid is not fetched yet
    with pytest.raises(Unauthenticated, match="no key 'new'"):
        await verifier.verify(token_of(new))
    assert server.jwks_requests == 1
    now[0] += 60
    assert await verifier.verify(token_of(new))
    assert server.jwks_requests == 2
    await verifier.verify(token_of(old))  # both known: no fetch
    assert server.jwks_requests == 2
    now[0] += 3600  # past jwks_max_age_s: fetched again; the provider down, the keys it had still verify
    server.down = True
    assert await verifier.verify(token_of(old))


async def test_an_unreachable_or_mismatching_provider_is_a_503_not_a_bad_token() -> None:
    server = KeyServer([rsa_key("k")])
    server.down = True
    with pytest.raises(IdentityProviderUnavailable):
        await server.verifier().verify(signed(rsa_key("k")))
    impostor = KeyServer([rsa_key("k")], issuer="https://elsewhere.test")
    with pytest.raises(IdentityProviderUnavailable, match=r"names the issuer 'https://elsewhere\.test'"):
        await impostor.verifier().verify(signed(rsa_key("k")))
    assert IdentityProviderUnavailable.status == 503


async def test_a_token_whose_key_does_not_fit_is_refused_not_an_error() -> None:
    rsa, ec = rsa_key("a"), ECKey.generate_key("P-256", {"kid": "b", "use": "sig", "alg": "ES256"}, private=True)
    verifier = KeyServer([rsa, ec]).verifier()
    # signed with the RSA key, but naming the EC key's id
    forged = jwt.encode({"alg": "RS256", "kid": "b"}, {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": 2**31}, rsa)
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(forged)
    # no key id, and several keys to choose from
    anonymous = jwt.encode({"alg": "RS256"}, {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": 2**31}, rsa)
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(anonymous)
    with pytest.raises(Unauthenticated, match="not valid"):
        await verifier.verify(signed(rsa).rsplit(".", 2)[0] + ".bm90IGpzb24.c2ln")
