"""Opaque cursors for keyset pagination: no page ever scans what came before it."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from shared.errors import FieldError, ValidationFailed
from shared.text import storable_text

T = TypeVar("T")

# The largest id or position PostgreSQL's bigint holds: a path or query integer beyond it is a 422, not a 500.
BIGINT_MAX = 2**63 - 1
# The largest PostgreSQL integer (a period, an offer round): the same for columns declared Integer.
INT_MAX = 2**31 - 1


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values), default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("wrong shape")
    except ValueError as exc:
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            errors=[FieldError(field="cursor", message="invalid cursor", location="query")],
        ) from exc
    return values


# The longest key a cursor holds (ids, codes, keys): what the database's key columns hold, and more.
KEY_MAX_LENGTH = 200


# A key in a path (a partner id, a region code): at most KEY_MAX_LENGTH characters and no control character,
# which the database could not compare (a NUL, %00 in the URL, failed PostgreSQL's query with a 500).
PathKey = Annotated[str, Path(min_length=1, max_length=KEY_MAX_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")]
# A whole number in a path that names a row held in an Integer column (a period, an offer round).
PathNumber = Annotated[int, Path(ge=1, le=INT_MAX)]


def decode_key_cursor(cursor: str, arity: int = 1) -> list[str]:
    """A cursor holding row keys (text): each a string the database can hold (no NUL or other character the
    text policy refuses, at most KEY_MAX_LENGTH characters), or the same 422 as a malformed one. A cursor
    decoding to `[{"a": 1}]` or `["\\u0000"]` used to reach the query as text and fail there (500)."""
    values = decode_cursor(cursor, arity)
    if not all(isinstance(value, str) and _storable_key(value) for value in values):
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            errors=[FieldError(field="cursor", message="invalid cursor", location="query")],
        )
    return values


def _storable_key(value: str) -> bool:
    try:
        return len(value) <= KEY_MAX_LENGTH and storable_text(value) == value
    except PydanticCustomError:
        return False


def decode_id_cursor(cursor: str) -> int:
    """A cursor holding one row id: a whole number the database can hold, or the same 422 as a malformed one."""
    (value,) = decode_cursor(cursor, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BIGINT_MAX:
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            errors=[FieldError(field="cursor", message="invalid cursor", location="query")],
        )
    return value
