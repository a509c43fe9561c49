"""What the phases of a demo run share: the client, tokens, the call, bounded concurrency and the tallies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from .api import DemoError, Headers, Tokens
from .consortia import Consortium
from .progress import Progress

T = TypeVar("T")
R = TypeVar("R")
POLL_S = 0.1


@dataclass
class Tally:
    """Counts the phases keep as they go (what results.json reports besides the API's results)."""

    drafted: int = 0
    fixed_after_precheck: int = 0
    submitted: int = 0
    with_regional_warnings: int = 0
    resubmitted: int = 0
    retried: int = 0
    identical_receipts: int = 0
    late_refused: int = 0
    documents_attached: int = 0
    refused_over_page_limit: int = 0
    documents_read: int = 0
    manual_checks: int = 0
    manual_checks_failed: int = 0
    evaluators: int = 0
    conflicts_declared: int = 0
    assessments: int = 0
    confirmed_by: list[str] = field(default_factory=list)


@dataclass
class Run:
    client: httpx.AsyncClient
    tokens: Tokens
    progress: Progress
    seed: int
    concurrency: int
    wait_s: float  # how long to wait for the bus to carry something before giving up
    call: dict[str, Any] = field(default_factory=dict)  # the call as call_definition returned it
    stage: int = 1  # of a two-stage call, the one this run drives (1 the pre-proposals, 2 the full proposals)
    consortia: list[Consortium] = field(default_factory=list)
    proposal_ids: dict[str, str] = field(default_factory=dict)  # acronym -> proposal id, once drafted
    submitted: list[str] = field(default_factory=list)  # acronyms with a receipt, in submission order
    tally: Tally = field(default_factory=Tally)

    @property
    def call_id(self) -> str:
        return str(self.call["id"])

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.call["configuration"]
        return config

    @property
    def stage_one(self) -> bool:
        """Whether this run drives the pre-proposals of a two-stage call (their lighter form, documents and
        evaluation)."""
        return self.stage == 1 and len(self.config["stages"]) > 1

    @property
    def stage_rules(self) -> dict[str, Any]:
        """The call's `two_stage` block (empty for a one-stage call)."""
        rules: dict[str, Any] = self.config.get("two_stage") or {}
        return rules

    def next_stage(self) -> Run:
        """A run of stage 2 of the same call: same client, tokens and progress; its own proposals and tally."""
        return Run(self.client, self.tokens, self.progress, self.seed, self.concurrency, self.wait_s, self.call, 2)

    @property
    def agency(self) -> Headers:
        return self.tokens("agency")

    def acronym_of(self) -> dict[str, str]:
        return {proposal_id: acronym for acronym, proposal_id in self.proposal_ids.items()}

    async def each(self, items: Iterable[T], action: Callable[[T], Awaitable[R]], *, step: bool = True) -> list[R]:
        """`action` on every item, at most `concurrency` at a time (a progress step per item, unless the action
        counts its own steps)."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(item: T) -> R:
            async with limit:
                result = await action(item)
            if step:
                self.progress.step()
            return result

        return list(await asyncio.gather(*(one(item) for item in items)))

    async def until(self, probe: Callable[[], Awaitable[R | None]], what: str) -> R:
        """Poll `probe` until it returns something: events travel asynchronously between the services."""
        give_up = time.monotonic() + self.wait_s
        while True:
            found = await probe()
            if found is not None:
                return found
            if time.monotonic() > give_up:
                raise DemoError(f"gave up after {self.wait_s:.0f}s waiting for {what}")
            await asyncio.sleep(POLL_S)
