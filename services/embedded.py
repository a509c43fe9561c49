"""The embedded default: all four services in one process, SQLite files, the in-process bus.

Starlette does not run a mounted app's lifespan, so the root app enters each one itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from shared.clock import Clock, SandboxClock, SystemClock
from shared.http.metrics import metrics_endpoint
from shared.messaging.inprocess import InProcessBus
from shared.service import Runtime, Worker, build_app, open_runtime

from .portal.app import create_app as create_portal_app
from .portal.settings import PortalSettings
from .registry import SERVICES
from .sandbox import CLOCK_FILE, create_sandbox_app


def create_embedded_app(
    data_dir: Path, *, clock: Clock | None = None, retry_delay_ms: int = 2000, sandbox: bool = False
) -> FastAPI:
    """`sandbox`: every service, clock job, relay and retry reads one SandboxClock (kept in the data folder),
    which an agency moves forward at /sandbox/clock (see services/sandbox.py)."""
    sandbox_clock = SandboxClock(data_dir / CLOCK_FILE) if sandbox else None
    clock = clock or sandbox_clock or SystemClock()
    # A relay is woken when its service commits outbox rows, a bus consumer when a message is published to its
    # queue (both in this process): their polls only look for what nobody announced, once a second.
    bus = InProcessBus(data_dir / "bus.db", clock=clock, retry_delay_ms=retry_delay_ms, poll_interval_s=1.0)
    runtimes: dict[str, Runtime] = {}
    apps: dict[str, FastAPI] = {}
    for name, definition in SERVICES.items():
        settings = definition.settings_class(
            data_dir=data_dir, retry_delay_ms=retry_delay_ms, relay_poll_interval_s=1.0
        )
        runtimes[name] = open_runtime(definition, settings, clock)
        apps[name] = build_app(definition, settings, runtime=runtimes[name], broker_check=False)
    workers = [Worker(SERVICES[name], runtime, bus) for name, runtime in runtimes.items()]
    # s3_strategy's "start a call from this topic", and proposal_intake's and joint_evaluation's back-fill of a
    # call just published, reach call_definition in this process.
    for name in ("s3_strategy", "proposal_intake", "joint_evaluation"):
        if name in apps:
            apps[name].state.call_definition_transport = httpx.ASGITransport(app=apps["call_definition"])

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        async with AsyncExitStack() as stack:
            for sub_app in apps.values():
                await stack.enter_async_context(sub_app.router.lifespan_context(sub_app))
            await bus.start()
            relays = [
                asyncio.create_task(worker.run(stop), name=f"relay:{worker.definition.name}") for worker in workers
            ]
            try:
                yield
            finally:
                stop.set()
                for task in relays:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await bus.close()
                for runtime in runtimes.values():
                    await runtime.engine.dispose()

    root = FastAPI(title="jointcall (embedded)", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    root.state.bus = bus
    root.state.apps = apps

    @root.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    root.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for name, sub_app in apps.items():
        root.mount(SERVICES[name].path_prefix, sub_app)
    if sandbox_clock is not None:
        root.mount("/sandbox", create_sandbox_app(sandbox_clock, apps["call_definition"].state.settings))
    # The portal last, at `/`: it reaches the services through their public HTTP APIs, in process here.
    portal_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=root), base_url="http://embedded", timeout=30)
    root.mount("/", create_portal_app(PortalSettings(), api_client=portal_client))
    return root
