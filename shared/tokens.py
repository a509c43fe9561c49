"""Issuing bearer tokens with nothing but the standard library, so `jointcall token` starts in milliseconds.

Roles: `agency` (call administration), `region:<code>`, `consortium:<applicant id>`, `evaluator:<id>`.
HS256/HS384/HS512 tokens are signed here (RFC 7519 with an RFC 7515 HMAC signature, the same bytes PyJWT
writes); any other algorithm falls back to PyJWT. `shared.http.auth` verifies them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from enum import StrEnum
from typing import Any

ISSUER = "jointcall"
DEFAULT_TTL_S = 12 * 3600
DEV_JWT_SECRET = "jointcall-development-secret-change-me"
DEFAULT_JWT_ALGORITHM = "HS256"

_HMAC_DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


class Role(StrEnum):
    AGENCY = "agency"
    REGION = "region"
    CONSORTIUM = "consortium"
    EVALUATOR = "evaluator"


SCOPED_ROLES = {Role.REGION, Role.CONSORTIUM, Role.EVALUATOR}


def parse_role(text: str) -> tuple[Role, str | None]:
    """`region:AT-4` -> (Role.REGION, "AT-4"); raises ValueError on anything else."""
    name, _, scope = text.partition(":")
    try:
        role = Role(name)
    except ValueError:
        raise ValueError(f"{name!r} is not a role; one of: {', '.join(r.value for r in Role)}") from None
    if role in SCOPED_ROLES and not scope:
        raise ValueError(f"role {role.value} needs a scope, e.g. {role.value}:<id>")
    if role not in SCOPED_ROLES and scope:
        raise ValueError(f"role {role.value} takes no scope")
    return role, scope or None


def issue_token(
    secret: str,
    role_text: str,
    *,
    subject: str | None = None,
    ttl_s: int = DEFAULT_TTL_S,
    algorithm: str = DEFAULT_JWT_ALGORITHM,
) -> str:
    role, scope = parse_role(role_text)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": subject or role_text,
        "role": role.value,
        "iat": now,
        "exp": now + ttl_s,
    }
    if scope:
        claims["scope"] = scope
    digest = _HMAC_DIGESTS.get(algorithm)
    if digest is None:  # an asymmetric algorithm: PyJWT (and cryptography) know the key formats
        import jwt

        return jwt.encode(claims, secret, algorithm=algorithm)
    signing_input = _b64(_json({"alg": algorithm, "typ": "JWT"})) + b"." + _b64(_json(claims))
    signature = hmac.new(secret.encode("utf-8"), signing_input, digest).digest()
    return (signing_input + b"." + _b64(signature)).decode("ascii")


def token_settings_from_environment(environ: dict[str, str] | None = None) -> tuple[str, str]:
    """(JOINTCALL_JWT_SECRET, JOINTCALL_JWT_ALGORITHM) as ServiceSettings reads them (names case-insensitive),
    without importing pydantic."""
    found = {name.upper(): value for name, value in (os.environ if environ is None else environ).items()}
    return (
        found.get("JOINTCALL_JWT_SECRET", DEV_JWT_SECRET),
        found.get("JOINTCALL_JWT_ALGORITHM", DEFAULT_JWT_ALGORITHM),
    )


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")
