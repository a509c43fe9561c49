"""A plain-text progress bar per phase: redrawn in place on a terminal, one line per phase otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Phases run one at a time; `step()` may be called from concurrent tasks of one event loop."""

    def __init__(self, stream: TextIO | None = None, *, width: int = 30, interactive: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self._label, self._done, self._total, self._started = "", 0, 0, 0.0

    def note(self, text: str) -> None:
        """A line of narration between phases."""
        self.stream.write(text + "\n")
        self.stream.flush()

    @contextmanager
    def phase(self, label: str, total: int) -> Iterator[Progress]:
        self._label, self._done, self._total, self._started = label, 0, max(total, 0), time.monotonic()
        self._draw()
        try:
            yield self
        finally:
            self._draw(final=True)

    def step(self, count: int = 1) -> None:
        self._done += count
        if self.interactive:
            self._draw()

    def update(self, done: int) -> None:
        """Set how much is done (for phases that wait and count what arrived)."""
        if done != self._done:
            self._done = done
            if self.interactive:
                self._draw()

    def grow(self, count: int) -> None:
        """More work turned up in the current phase (e.g. replacements after a conflict)."""
        self._total += count

    def line(self) -> str:
        filled = min(self.width, self.width * self._done // self._total) if self._total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        seconds = time.monotonic() - self._started
        return f"{self._label:<26} [{bar}] {self._done:>4}/{self._total:<4} {seconds:5.1f}s"

    def _draw(self, *, final: bool = False) -> None:
        if self.interactive:
            self.stream.write("\r" + self.line() + ("\n" if final else ""))
        elif final:
            self.stream.write(self.line() + "\n")
        self.stream.flush()


class SilentProgress(Progress):
    """Progress that shows nothing (the library default, and in tests)."""

    def __init__(self) -> None:
        super().__init__(stream=sys.stderr, interactive=False)

    def note(self, text: str) -> None:
        pass

    def _draw(self, *, final: bool = False) -> None:
        pass
