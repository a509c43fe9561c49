"""Query and path parameters every service's routes take, defined once (FastAPI `Annotated` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from shared.pagination import INT_MAX, KEY_MAX_LENGTH

__all__ = [
    "ActionFilter",
    "ActorFilter",
    "AuditCursor",
    "AuditLimit",
    "Cursor",
    "Limit",
    "LongCursor",
    "PathKey",
    "PathNumber",
    "SmallLimit",
]

# How many items one page holds; the default is each route's own.
Limit = Annotated[int, Query(ge=1, le=500)]
# The same for pages of large items (calls with their configuration, proposals with their partners).
SmallLimit = Annotated[int, Query(ge=1, le=200)]
# The opaque cursor of the next page, as the previous page gave it (`next_cursor`).
Cursor = Annotated[str | None, Query(max_length=200)]
# A cursor holding two keys (a proposal and a partner).
LongCursor = Annotated[str | None, Query(max_length=300)]

# A key in a path (a partner id, a region code): at most KEY_MAX_LENGTH characters and no control character,
# which the database could not compare (a NUL, %00 in the URL, failed PostgreSQL's query with a 500).
PathKey = Annotated[str, Path(min_length=1, max_length=KEY_MAX_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$")]
# A whole number in a path that names a row held in an Integer column (a period, an offer round).
PathNumber = Annotated[int, Path(ge=1, le=INT_MAX)]

# The query of every service's `GET /calls/{call_id}/audit`: text without control characters (which the
# database could not compare), at most what the column holds.
_FILTER_TEXT = r"^[^\x00-\x1f\x7f]*$"
ActorFilter = Annotated[
    str | None,
    Query(max_length=200, pattern=_FILTER_TEXT, description="Only entries whose actor contains this (case ignored)"),
]
ActionFilter = Annotated[
    str | None,
    Query(max_length=100, pattern=_FILTER_TEXT, description="Only entries whose action contains this (case ignored)"),
]
AuditLimit = Annotated[int, Query(ge=1, le=500)]
AuditCursor = Annotated[str | None, Query(max_length=200, description="next_cursor, or an entry's cursor")]
