"""The two set-ups of `jointcall demo`: the embedded app in this process, or a running full stack."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from shared.clock import ShiftedClock

from .flow import run_joint_call
from .progress import Progress
from .results import Results
from .serve import Serve
from .timeline import RealTimeline, ShiftedTimeline, Timeline
from .transport import RoutingTransport
from .two_stage import run_two_stage_call

EMBEDDED_RETRY_DELAY_MS = 200


async def demo_embedded(
    *,
    proposals: int,
    seed: int,
    data_dir: Path | None = None,
    progress: Progress | None = None,
    concurrency: int = 8,
    call_code: str | None = None,
    from_s3: bool = False,
    two_stage: bool = False,
    factor: Decimal | None = None,
    then: Serve | None = None,
) -> Results:
    """Migrate fresh databases (in a temporary folder, removed afterwards, unless given), start the embedded app,
    run the call (`two_stage`: the two-stage call, with `factor` for every region if given); then, if given,
    `then` with the app still running (`--portal`: serve it)."""
    if two_stage and from_s3:
        raise ValueError("the two-stage demo runs the Alpine example: it takes no --from-s3")
    from shared.service import migrate

    from ..embedded import create_embedded_app
    from ..registry import SERVICES

    with contextlib.ExitStack() as stack:
        folder = data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jointcall-demo-")))
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        for definition in SERVICES.values():
            await asyncio.to_thread(migrate, definition, definition.settings_class(data_dir=folder).database_url)
        clock = ShiftedClock()
        app = create_embedded_app(folder, clock=clock, retry_delay_ms=EMBEDDED_RETRY_DELAY_MS)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=60) as client,
        ):
            drive: Callable[..., Awaitable[Results]] = (
                functools.partial(run_two_stage_call, factor=factor)
                if two_stage
                else functools.partial(run_joint_call, from_s3=from_s3)
            )
            results = await drive(
                client,
                proposals=proposals,
                seed=seed,
                timeline=ShiftedTimeline(clock),
                progress=progress,
                call_code=call_code,
                concurrency=concurrency,
            )
            if then is not None:
                await then(app, client, results)
            return results


async def demo_remote(
    urls: Mapping[str, str],
    *,
    proposals: int,
    seed: int,
    call_code: str | None = None,
    progress: Progress | None = None,
    concurrency: int = 8,
    timeline: Timeline | None = None,
    from_s3: bool = False,
) -> Results:
    """Against a running stack: `urls` by service name, or {'': gateway}; the deadline is a real instant."""
    transport = RoutingTransport.for_services(urls)
    code = call_code or f"ALP-DEMO-{seed}-{datetime.now(UTC):%Y%m%d%H%M%S}"  # codes are unique on a stack
    async with httpx.AsyncClient(transport=transport, base_url="http://jointcall", timeout=60) as client:
        return await run_joint_call(
            client,
            proposals=proposals,
            seed=seed,
            timeline=timeline or RealTimeline(),
            progress=progress,
            call_code=code,
            concurrency=concurrency,
            from_s3=from_s3,
        )


def parse_urls(values: list[str]) -> dict[str, str]:
    """`--url` values: `service=http://...` (repeatable), or one gateway URL routing the embedded prefixes."""
    urls: dict[str, str] = {}
    for value in values:
        name, separator, url = value.partition("=")
        if separator and not name.startswith("http"):
            urls[name.strip().replace("-", "_")] = url.strip()
        else:
            urls[""] = value.strip()
    if "" in urls and len(urls) > 1:
        raise ValueError("give either one gateway URL or service=URL pairs, not both")
    return urls
