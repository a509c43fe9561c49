"""Short-lived signed grants to read a proposal's documents: joint_evaluation issues one to an evaluator it
has assigned the proposal to (and who is not in conflict with it); proposal_intake, which holds the bytes,
verifies it. Neither service copies the other's data: intake never learns assignments, evaluation never
holds a document.

A grant names the evaluator, the proposal and the version evaluated, and expires after a few minutes: a
conflict declared later stops new grants at once, and the last one issued runs out within GRANT_TTL_S.
It is an HS256 JWT with its own audience, signed with a key the two services share (see grant_key).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import jwt

from shared.errors import ServiceError

GRANT_TTL_S = 300
AUDIENCE = "jointcall:proposal_intake:documents"


class GrantRefused(
    ServiceError,
    status=403,
    slug="document-grant-refused",
    title="The document grant is missing, invalid, expired or for someone else",
): ...


@dataclass(frozen=True)
class DocumentGrant:
    evaluator_id: str
    proposal_id: str
    version: int
    expires_at: int


def grant_key(explicit: str | None, jwt_secret: str, jwt_algorithm: str) -> str:
    """The configured grant key, or one derived from the shared HS256 token secret (never the secret itself,
    so a grant cannot pass for a bearer token, nor the reverse)."""
    if explicit:
        return explicit
    if jwt_algorithm != "HS256":
        raise GrantRefused("No document grant key is configured (JOINTCALL_DOCUMENT_GRANT_SECRET).")
    return hmac.new(jwt_secret.encode(), b"jointcall document grants", hashlib.sha256).hexdigest()


def issue_grant(key: str, *, evaluator_id: str, proposal_id: str, version: int, ttl_s: int = GRANT_TTL_S) -> str:
    now = int(time.time())
    claims = {"aud": AUDIENCE, "sub": evaluator_id, "proposal": proposal_id, "version": version}
    return jwt.encode({**claims, "iat": now, "exp": now + ttl_s}, key, algorithm="HS256")


def verify_grant(key: str, token: str | None, *, evaluator_id: str, proposal_id: str) -> DocumentGrant:
    """The grant, if `token` is a valid, unexpired grant of this evaluator for this proposal."""
    if not token:
        raise GrantRefused("An evaluator reads documents with a grant from joint_evaluation (X-Document-Grant).")
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], audience=AUDIENCE, options={"require": ["exp"]})
        grant = DocumentGrant(
            evaluator_id=str(claims["sub"]),
            proposal_id=str(claims["proposal"]),
            version=int(claims["version"]),
            expires_at=int(claims["exp"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise GrantRefused("The document grant has expired: ask joint_evaluation for a new one.") from exc
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise GrantRefused(f"The document grant is not valid: {exc}.") from exc
    if grant.evaluator_id != evaluator_id or grant.proposal_id != proposal_id:
        raise GrantRefused("The document grant is for another evaluator or another proposal.")
    return grant
