import time

import jwt
import pytest

from shared.errors import Unauthenticated
from shared.http.auth import Role, decode_token, issue_token, parse_role

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def test_round_trip_keeps_role_and_scope() -> None:
    principal = decode_token(issue_token(SECRET, "region:AT-4"), SECRET)
    assert principal.role is Role.REGION
    assert principal.scope == "AT-4"
    assert principal.label == "region:AT-4"


@pytest.mark.parametrize("text", ["region", "consortium:", "agency:x", "admin", "evaluator"])
def test_malformed_roles_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_role(text)


def test_wrong_secret_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        decode_token(issue_token("another-secret-that-is-also-long-enough!", "agency"), SECRET)


def test_expired_token_is_unauthenticated() -> None:
    token = jwt.encode({"iss": "jointcall", "role": "agency", "exp": int(time.time()) - 5}, SECRET)
    with pytest.raises(Unauthenticated, match="expired"):
        decode_token(token, SECRET)


def test_token_without_expiry_is_refused() -> None:
    token = jwt.encode({"iss": "jointcall", "role": "agency"}, SECRET)
    with pytest.raises(Unauthenticated):
        decode_token(token, SECRET)


def test_a_remembered_token_still_expires() -> None:
    token = issue_token(SECRET, "consortium:acme", ttl_s=1)
    assert decode_token(token, SECRET).scope == "acme"  # verified, then remembered
    assert decode_token(token, SECRET).scope == "acme"  # from memory
    expiry = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expiry - time.time()) + 0.05)  # valid while now < exp, as PyJWT has it
    with pytest.raises(Unauthenticated, match="expired"):
        decode_token(token, SECRET)


def test_a_remembered_token_is_not_valid_under_another_secret() -> None:
    token = issue_token(SECRET, "agency")
    assert decode_token(token, SECRET).role is Role.AGENCY
    with pytest.raises(Unauthenticated):
        decode_token(token, "another-secret-that-is-also-long-enough!")
