"""Opaque cursors for keyset pagination: no page ever scans what came before it.

A use case reads the rows after the cursor's key (`key_after`, `keys_after`, `id_after`) and returns a
`Window` (`window(rows, limit, key)`): a full page carries the cursor of the next one. The route presents it as a
`Page` of response models. FastAPI-free: use cases import it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from shared.errors import FieldError, ValidationFailed
from shared.text import storable_text

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

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


def key_after(cursor: str | None) -> str | None:
    """The row key a one-key cursor holds (None for the first page); a 422 for one this API did not issue."""
    return decode_key_cursor(cursor)[0] if cursor else None


def keys_after(cursor: str | None, arity: int) -> list[str] | None:
    """The row keys a cursor of `arity` keys holds (None for the first page)."""
    return decode_key_cursor(cursor, arity) if cursor else None


def id_after(cursor: str | None) -> int | None:
    """The row id a cursor holds (None for the first page)."""
    return decode_id_cursor(cursor) if cursor else None


@dataclass(frozen=True)
class Window(Generic[T]):
    """One page of rows as a use case returns it: the rows, and the cursor of the next page (None on the last)."""

    items: list[T]
    next_cursor: str | None


def window(rows: Sequence[T], limit: int, key: Callable[[T], Any]) -> Window[T]:
    """The rows of a page read with `limit`: a full page's cursor holds the last row's key (a tuple for a
    cursor of several keys), since a page shorter than the limit is the last one."""
    if not rows or len(rows) < limit:
        return Window(list(rows), None)
    last = key(rows[-1])
    return Window(list(rows), encode_cursor(*last) if isinstance(last, tuple) else encode_cursor(last))


def page_of(rows: Window[T], present: Callable[[T], M]) -> Page[M]:
    """The `Page` a route answers for a use case's window: each row presented, and the next page's cursor."""
    return Page(items=[present(row) for row in rows.items], next_cursor=rows.next_cursor)
