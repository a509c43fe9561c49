"""The HTTP client to call_definition's public API: its configured base URL, or in the embedded default the
call_definition app in the same process (the embedded app sets `call_definition_transport` on this app's state)."""

from __future__ import annotations

import httpx
from fastapi import Request

TIMEOUT_S = 30.0


def call_definition_client(request: Request) -> httpx.AsyncClient:
    transport: httpx.AsyncBaseTransport | None = getattr(request.app.state, "call_definition_transport", None)
    if transport is not None:
        return httpx.AsyncClient(transport=transport, base_url="http://call-definition", timeout=TIMEOUT_S)
    return httpx.AsyncClient(base_url=request.app.state.settings.call_definition_url, timeout=TIMEOUT_S)
