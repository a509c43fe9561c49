"""A call's audit trail across services, one page at a time: each service's entries (newest first, as its API
gives them) merged into one list in time order, each entry marked with the service it came from.

The page's cursor says, per service, where its next page starts: a service's own cursor (the API's
`next_cursor`, or the `cursor` of the last of its entries shown), `None` for its beginning, `False` once it has
nothing more; for call_definition, whose trail comes whole, how many of its (filtered) entries were shown.
A service's entries are taken from the head of its list only, so what a page shows of a service is always the
start of what it gave, and the next page goes on right after it: nothing is skipped, nothing shown twice.
"""

from __future__ import annotations

import base64
import heapq
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# call_definition's trail comes whole (a call's own changes are few); the others' page by page.
WHOLE = "call_definition"
State = dict[str, Any]


@dataclass(frozen=True)
class Fetched:
    """What one service gave for this page: its entries newest first and, when it has more, its next cursor.
    For the whole trail (call_definition), every entry that passed the filter and how many were shown before."""

    service: str
    entries: list[dict[str, Any]]
    next_cursor: str | None = None
    offset: int = 0


def decode_state(cursor: str | None) -> State:
    """The page cursor's state; an empty state (every service from its beginning) for none or a bad one."""
    if not cursor:
        return {}
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def encode_state(state: State) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode().rstrip("=")


def _moment(entry: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(entry["at"]))


def merge(fetched: list[Fetched], state: State, size: int) -> tuple[list[dict[str, Any]], State | None]:
    """The page's entries, newest first, each with `service` set, and the state of the next page (None when
    no service has anything more)."""
    tagged = [[{**entry, "service": f.service} for entry in f.entries] for f in fetched]
    merged = heapq.merge(*tagged, key=_moment, reverse=True)  # takes from each list's head only
    shown = [entry for _, entry in zip(range(size), merged, strict=False)]
    following: State = dict(state)
    more = False
    for f in fetched:
        used = [entry for entry in shown if entry["service"] == f.service]
        if f.service == WHOLE:
            following[f.service] = f.offset + len(used)
            more = more or len(used) < len(f.entries)
            continue
        if len(used) == len(f.entries):
            following[f.service] = f.next_cursor or False
        elif used:
            following[f.service] = used[-1]["cursor"]
        else:
            following[f.service] = state.get(f.service)
        more = more or following[f.service] is not False
    return shown, following if more else None
