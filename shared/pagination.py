"""Opaque cursors for keyset pagination: no page ever scans what came before it."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.errors import FieldError, ValidationFailed

T = TypeVar("T")

# The largest id or position PostgreSQL's bigint holds: a path or query integer beyond it is a 422, not a 500.
BIGINT_MAX = 2**63 - 1


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


def decode_id_cursor(cursor: str) -> int:
    """A cursor holding one row id: a whole number the database can hold, or the same 422 as a malformed one."""
    (value,) = decode_cursor(cursor, 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BIGINT_MAX:
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            errors=[FieldError(field="cursor", message="invalid cursor", location="query")],
        )
    return value
