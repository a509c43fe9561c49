"""How the demo makes the deadline pass: by moving the embedded clock, or by waiting for a real instant."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.clock import ShiftedClock


class Timeline(Protocol):
    """Where the call's deadline goes, and how the driver gets past it."""

    def now(self) -> datetime:
        """The services' present: the call opens just before it."""
        ...

    def submission_window(self, proposals: int) -> timedelta:
        """How long after `now()` the deadline falls: enough for `proposals` consortia to submit."""
        ...

    async def pass_deadline(self, deadline: datetime) -> None:
        """Return once the services' clock is past `deadline`."""
        ...

    @property
    def can_move(self) -> bool:
        """Whether months can pass (after the results: reporting periods, a late report)."""
        ...

    async def move_to(self, instant: datetime) -> None:
        """Move the services' clock on to `instant` (only where `can_move`)."""
        ...


class ShiftedTimeline:
    """Embedded: the deadline is hours away and the services' `ShiftedClock` jumps past it."""

    def __init__(self, clock: ShiftedClock, window: timedelta = timedelta(hours=2)) -> None:
        self.clock = clock
        self.window = window

    def now(self) -> datetime:
        return self.clock.now()

    def submission_window(self, proposals: int) -> timedelta:
        return self.window

    async def pass_deadline(self, deadline: datetime) -> None:
        ahead = deadline - self.clock.now()
        if ahead > timedelta(0):
            self.clock.advance(ahead + timedelta(seconds=1))

    @property
    def can_move(self) -> bool:
        return True

    async def move_to(self, instant: datetime) -> None:
        ahead = instant - self.clock.now()
        if ahead > timedelta(0):
            self.clock.advance(ahead)


class RealTimeline:
    """A running stack on the real clock: the deadline is a near instant, and the driver waits for it.

    The window is `base + per_proposal x proposals` unless given outright; `grace` covers clock skew between
    this machine and the servers.
    """

    def __init__(
        self,
        *,
        window: timedelta | None = None,
        base: timedelta = timedelta(seconds=20),
        per_proposal: timedelta = timedelta(milliseconds=100),
        grace: timedelta = timedelta(seconds=2),
    ) -> None:
        self.window, self.base, self.per_proposal, self.grace = window, base, per_proposal, grace

    def now(self) -> datetime:
        return datetime.now(UTC)

    def submission_window(self, proposals: int) -> timedelta:
        return self.window if self.window is not None else self.base + self.per_proposal * proposals

    async def pass_deadline(self, deadline: datetime) -> None:
        wait = (deadline + self.grace - self.now()).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)

    @property
    def can_move(self) -> bool:
        return False  # months cannot pass on a real clock

    async def move_to(self, instant: datetime) -> None:
        raise RuntimeError("a real clock cannot be moved on")
