"""Injectable time: deadlines and lifecycles read the clock, tests move it instead of sleeping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The server clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock:
    """A clock for tests: starts at a given instant and only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("MovableClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def as_utc(instant: datetime) -> datetime:
    """Normalise a datetime read back from a database that dropped the zone (SQLite) to aware UTC."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


class ShiftedClock:
    """The system clock moved forward on demand: a demo can jump past a deadline while
    everything that waits (retries, relays) still sees time flowing."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta


class SandboxClock:
    """The sandbox's clock (`jointcall up --sandbox`): the system clock moved forward on demand by an agency, so a
    rehearsal of a call passes its deadlines in seconds; never backward. The offset is kept in a file beside the
    data, so a restarted sandbox does not travel back in time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = timedelta(0)
        if path.exists():
            self._offset = timedelta(seconds=float(json.loads(path.read_text(encoding="utf-8"))["offset_s"]))

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += delta
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"offset_s": self._offset.total_seconds()}), encoding="utf-8")
        temporary.replace(self._path)
