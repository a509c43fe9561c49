"""Signing on with OpenID Connect against a real provider (oidc-provider on Node.js, started by the tests):
the portal's authorization code + PKCE flow, the APIs accepting the provider's access token and naming the
person in the audit, key rotation, an expired token, a wrong audience, an account without a role, logout."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.embedded import create_embedded_app
from services.registry import SERVICES
from shared.http.oidc import OidcSettings
from shared.service import build_app
from tests.helpers import call_body, migrate_all
from tests.oidc.provider import (
    API_SCOPE,
    AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    OpenIdProvider,
    require_node,
    signing_keys,
)

PORTAL = "http://portal"
ACCOUNTS = {
    "ada": {"name": "Ada Agency", "email": "ada@agency.test", "groups": ["staff", "jointcall:agency"]},
    "otto": {"name": "Otto Officer", "groups": ["jointcall:region:AT-4"]},
    "mapped": {"name": "Mia Mapped", "groups": ["/funding/secretariat"]},
    "nobody": {"name": "No Role", "groups": ["staff"]},
}


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[OpenIdProvider]:
    node = require_node()
    started = OpenIdProvider(
        node=node,
        workdir=tmp_path,
        redirect_uri=f"{PORTAL}/sign-in/callback",
        post_logout_redirect_uri=f"{PORTAL}/signed-out",
        accounts=ACCOUNTS,
    )
    started.start()
    yield started
    started.stop()


@pytest.fixture
def oidc_environment(provider: OpenIdProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "ISSUER": provider.issuer,
        "AUDIENCE": AUDIENCE,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "SCOPES": f"openid profile email {API_SCOPE}",
        "ROLE_MAP": json.dumps({"/funding/secretariat": "agency"}),
        "LEEWAY_S": "0",
        "JWKS_MIN_REFRESH_S": "2",
    }.items():
        monkeypatch.setenv(f"JOINTCALL_OIDC_{name}", value)


@pytest.fixture
async def embedded(tmp_path: Path, oidc_environment: None) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    """The embedded default configured for the provider; the client reaches the portal in process at
    http://portal and the provider over the network, following the redirects between them as a browser does."""
    await migrate_all(tmp_path)
    app = create_embedded_app(tmp_path, retry_delay_ms=100)
    mounts = {f"{PORTAL}": httpx.ASGITransport(app=app)}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(mounts=mounts, base_url=PORTAL, timeout=30) as client,
    ):
        yield client, app


def form_of(html: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the page's first form."""
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, html
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action.group(1).replace("&amp;", "&"), hidden


async def sign_in(client: httpx.AsyncClient, login: str) -> httpx.Response:
    """The portal's sign-in through the provider's login and consent pages; the page the portal ends on."""
    login_page = await client.get("/sign-in", follow_redirects=True)
    assert login_page.url.host == "127.0.0.1", "sign-in did not go to the provider"
    assert 'name="login"' in login_page.text, login_page.text
    action, hidden = form_of(login_page.text)
    consent = await client.post(
        httpx.URL(str(login_page.url)).join(action),
        data={**hidden, "login": login, "password": "any"},
        follow_redirects=True,
    )
    if consent.url.host == "127.0.0.1" and 'name="prompt" value="consent"' in consent.text:
        action, hidden = form_of(consent.text)
        return await client.post(httpx.URL(str(consent.url)).join(action), data=hidden, follow_redirects=True)
    return consent


def session_of(client: httpx.AsyncClient) -> dict[str, Any]:
    """What the portal's signed session cookie holds (signed, not encrypted: HttpOnly keeps it from scripts)."""
    cookie = client.cookies.get("jointcall_portal")
    if cookie is None:
        return {}  # an empty session has no cookie
    payload = cookie.split(".")[0]
    return dict(json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4))))


def kid_of(token: str) -> str:
    head = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"])


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_agency_signs_in_with_code_and_pkce_and_the_api_audits_the_person(
    embedded: tuple[httpx.AsyncClient, FastAPI], provider: OpenIdProvider
) -> None:
    client, _ = embedded
    start = await client.get("/sign-in")
    assert start.status_code == 303
    to_provider = httpx.URL(start.headers["location"])
    assert str(to_provider).startswith(f"{provider.issuer}/auth?")
    assert to_provider.params["code_challenge_method"] == "S256" and to_provider.params["code_challenge"]
    assert to_provider.params["state"] and to_provider.params["nonce"]
    assert "code_verifier" not in str(to_provider)

    home = await sign_in(client, "ada")
    assert home.status_code == 200 and str(home.url) == f"{PORTAL}/rapporteur", home.text  # an agency lands there
    assert "Signed in as <strong>Ada Agency (agency)</strong>" in home.text
    assert len(client.cookies["jointcall_portal"]) < 4000  # a browser keeps it
    session = session_of(client)
    assert session["role"] == "agency" and session["subject"] == "ada" and session["id_token"]
    token = session["token"]
    assert kid_of(token) in provider.kids

    # the API accepts the provider's access token, and its audit names the person, not only the role
    created = await client.post("/call-definition/calls", json=call_body("OIDC-1"), headers=bearer(token))
    assert created.status_code == 201, created.text
    audit = await client.get(f"/call-definition/calls/{created.json()['id']}/audit", headers=bearer(token))
    assert audit.status_code == 200, audit.text
    assert [entry["actor"] for entry in audit.json()] == ["agency (ada)"]
    # an officer's token may not do what an agency's may: the role comes from the claims
    await client.post("/sign-out", data={"csrf_token": csrf_of((await client.get("/accessibility")).text)})
    client.cookies.clear()
    await sign_in(client, "otto")
    officer = session_of(client)
    assert officer["role"] == "region:AT-4"
    refused = await client.post("/call-definition/calls", json=call_body("OIDC-2"), headers=bearer(officer["token"]))
    assert refused.status_code == 403 and "region:AT-4" in refused.json()["detail"]


async def test_a_configured_group_maps_to_a_role_and_an_account_without_one_is_refused(
    embedded: tuple[httpx.AsyncClient, FastAPI],
) -> None:
    client, _ = embedded
    await sign_in(client, "mapped")
    assert session_of(client)["role"] == "agency"
    client.cookies.clear()
    refused = await sign_in(client, "nobody")
    assert refused.status_code == 403
    assert "names no jointcall role" in refused.text
    assert "role" not in session_of(client)


async def test_the_development_sign_in_is_unavailable_when_oidc_is_configured(
    embedded: tuple[httpx.AsyncClient, FastAPI], provider: OpenIdProvider
) -> None:
    client, _ = embedded
    start = await client.get("/sign-in")
    assert start.status_code == 303 and start.headers["location"].startswith(provider.issuer)
    await client.get("/")
    csrf = session_of(client)["csrf"]
    minted = await client.post("/sign-in", data={"csrf_token": csrf, "role": "agency", "scope": ""})
    assert minted.status_code == 404
    assert "role" not in session_of(client)


async def test_a_new_signing_key_is_fetched_on_its_unknown_kid_and_made_up_kids_are_rate_limited(
    embedded: tuple[httpx.AsyncClient, FastAPI], provider: OpenIdProvider
) -> None:
    client, app = embedded
    verifier_of = lambda: app.state.apps["call_definition"].state.oidc_verifier  # noqa: E731
    await sign_in(client, "ada")
    first = session_of(client)["token"]
    assert (await client.get("/call-definition/calls/all", headers=bearer(first))).status_code == 200
    assert verifier_of().jwks_fetches == 1
    old_kids = provider.kids

    # the provider rotates: new keys (new kids), and the access tokens signed with ES256 now
    provider.restart(keys=signing_keys(), access_token_alg="ES256")
    assert not set(provider.kids) & set(old_kids)
    await asyncio.sleep(2.1)  # past JOINTCALL_OIDC_JWKS_MIN_REFRESH_S
    client.cookies.clear()
    await sign_in(client, "ada")
    second = session_of(client)["token"]
    assert kid_of(second) == provider.kids[1] and kid_of(second).startswith("ec-")
    listed = await client.get("/call-definition/calls/all", headers=bearer(second))
    assert listed.status_code == 200, listed.text
    assert verifier_of().jwks_fetches == 2

    # a token naming a key id the provider never had: refused, and no new fetch within the interval
    _head, body, signature = second.split(".")
    forged_head = base64.urlsafe_b64encode(json.dumps({"alg": "ES256", "kid": "made-up"}).encode()).rstrip(b"=")
    forged = ".".join([forged_head.decode(), body, signature])
    for _ in range(3):
        refused = await client.get("/call-definition/calls/all", headers=bearer(forged))
        assert refused.status_code == 401 and "made-up" in refused.json()["detail"]
    assert verifier_of().jwks_fetches == 2


async def test_an_expired_token_is_refused_and_the_portal_signs_the_person_out(
    embedded: tuple[httpx.AsyncClient, FastAPI], provider: OpenIdProvider
) -> None:
    client, _ = embedded
    provider.restart(access_token_ttl_s=8)
    await sign_in(client, "otto")
    token = session_of(client)["token"]
    accepted = await client.get("/regional-eligibility/checks", headers=bearer(token))
    assert accepted.status_code == 200, accepted.text
    await asyncio.sleep(max(0.0, claims_of(token)["exp"] - time.time()) + 1)  # JOINTCALL_OIDC_LEEWAY_S=0
    expired = await client.get("/regional-eligibility/checks", headers=bearer(token))
    assert expired.status_code == 401 and expired.json()["detail"] == "The token has expired."
    page = await client.get("/officer/checks")
    assert page.status_code == 303 and page.headers["location"] == "/sign-in"
    assert "token" not in session_of(client)


async def test_a_token_for_another_audience_is_refused(
    embedded: tuple[httpx.AsyncClient, FastAPI], provider: OpenIdProvider, tmp_path: Path
) -> None:
    client, _ = embedded
    await sign_in(client, "ada")
    token = session_of(client)["token"]
    definition = SERVICES["call_definition"]
    settings = definition.settings_class(
        data_dir=tmp_path, oidc=OidcSettings(issuer=provider.issuer, audience="https://another-api.test")
    )
    other = build_app(definition, settings, broker_check=False)
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://other") as api,
    ):
        refused = await api.get("/calls/all", headers=bearer(token))
    assert refused.status_code == 401, refused.text
    assert "aud" in refused.json()["detail"]
    # the same token where it belongs
    assert (await client.get("/call-definition/calls/all", headers=bearer(token))).status_code == 200


async def test_signing_out_ends_the_portal_session_and_the_providers(
    embedded: tuple[httpx.AsyncClient, FastAPI], provider: OpenIdProvider
) -> None:
    client, _ = embedded
    home = await sign_in(client, "ada")
    id_token = session_of(client)["id_token"]
    out = await client.post("/sign-out", data={"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    end_session = httpx.URL(out.headers["location"])
    assert str(end_session).startswith(f"{provider.issuer}/session/end?")
    assert end_session.params["id_token_hint"] == id_token
    assert end_session.params["post_logout_redirect_uri"] == f"{PORTAL}/signed-out"
    assert "token" not in session_of(client)

    confirm = await client.get(end_session, follow_redirects=True)
    action, hidden = form_of(confirm.text)
    signed_out = await client.post(
        httpx.URL(str(confirm.url)).join(action), data={**hidden, "logout": "yes"}, follow_redirects=True
    )
    assert str(signed_out.url) == f"{PORTAL}/signed-out" and "You are signed out" in signed_out.text
    # the provider's session ended too: signing in again asks for the login
    again = await client.get("/sign-in", follow_redirects=True)
    assert again.url.host == "127.0.0.1" and 'name="login"' in again.text


async def test_a_callback_that_was_not_started_here_is_refused(embedded: tuple[httpx.AsyncClient, FastAPI]) -> None:
    client, _ = embedded
    forged = await client.get("/sign-in/callback", params={"code": "stolen", "state": "guessed"})
    assert forged.status_code == 400 and "not started here" in forged.text
    started = await client.get("/sign-in")
    state = httpx.URL(started.headers["location"]).params["state"]
    wrong = await client.get("/sign-in/callback", params={"code": "stolen", "state": state + "x"})
    assert wrong.status_code == 400 and "another state" in wrong.text
    assert "role" not in session_of(client)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)
