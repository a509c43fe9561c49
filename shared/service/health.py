"""The health endpoints every service serves: alive (/healthz) and ready (/readyz)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from shared.http.exact_json import ExactJsonRoute

from .session import get_runtime

health_router = APIRouter(tags=["health"], route_class=ExactJsonRoute)


@health_router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health_router.get("/readyz", summary="The database can be reached (the broker's state is reported, not required)")
async def readyz(request: Request) -> JSONResponse:
    """Ready while the database answers: every request is served from it, and what must go out waits in the
    outbox. The broker is only reported: an api taken out of service when RabbitMQ blips would refuse the
    submissions it could take (its worker is what needs the broker, and says so in its metrics and logs)."""
    runtime = get_runtime(request)
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = checks["database"] == "ok"
    if request.app.state.broker_check:
        reachable = await broker_reachable(runtime.settings.rabbitmq_url or "")
        checks["broker"] = "ok" if reachable else "unreachable (not needed to serve: events wait in the outbox)"
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


async def broker_reachable(url: str, timeout_s: float = 2.0) -> bool:
    parts = urlsplit(url)
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname or "localhost", parts.port or 5672), timeout=timeout_s
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
