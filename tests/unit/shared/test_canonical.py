import hashlib

from shared.canonical import canonical_json, sha256_hex


def test_canonical_json_ignores_key_order_and_whitespace() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == canonical_json({"a": [1, "é"], "b": 1})
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_hash_is_sha256_of_the_canonical_utf8_text() -> None:
    content = {"acronym": "X", "amount": "10.00"}
    assert sha256_hex(content) == hashlib.sha256(b'{"acronym":"X","amount":"10.00"}').hexdigest()
