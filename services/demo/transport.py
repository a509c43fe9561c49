"""Routing the demo's prefixed paths to a full stack's services, retrying through restarts.

The driver always speaks the embedded app's paths (`/proposal-intake/proposals/...`). Against a full stack each
service has its own base URL: `RoutingTransport` sends a request for `/proposal-intake/...` to that service's URL
with the prefix stripped, or, given one gateway URL, everything to the gateway unchanged.

It also rides out a service being killed and restarted: connection errors and 502/503/504 are retried with
backoff for up to `retry_for_s`. A POST may thus reach a server twice; the flow is written so that a repeat is
harmless (submissions carry an Idempotency-Key, other steps read the state back or accept "already done").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from ..registry import SERVICES

logger = logging.getLogger(__name__)
RETRIED_STATUSES = frozenset({502, 503, 504})
PREFIXES = {name: definition.path_prefix for name, definition in SERVICES.items()}


class RoutingTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        routes: Mapping[str, str],
        *,
        retry_for_s: float = 60.0,
        backoff_s: float = 0.1,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`routes` maps a path prefix ('/proposal-intake', stripped) or '' (a gateway: kept) to a base URL."""
        self.routes = sorted(((prefix.rstrip("/"), url.rstrip("/")) for prefix, url in routes.items()), reverse=True)
        self.retry_for_s, self.backoff_s = retry_for_s, backoff_s
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.retries = 0  # how many requests were sent again, for the curious

    @classmethod
    def for_services(cls, urls: Mapping[str, str], **options: Any) -> RoutingTransport:
        """`urls` by service name (call_definition=http://127.0.0.1:8001) or '' for one gateway URL."""
        unknown = sorted(set(urls) - set(PREFIXES) - {""})
        if unknown:
            raise ValueError(f"unknown service(s): {', '.join(unknown)} (known: {', '.join(PREFIXES)})")
        return cls({PREFIXES.get(name, ""): url for name, url in urls.items()}, **options)

    def target(self, url: httpx.URL) -> httpx.URL:
        path = url.raw_path.decode("ascii")
        for prefix, base in self.routes:
            if prefix == "" or path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "?"):
                return httpx.URL(base + path[len(prefix) :])
        raise httpx.UnsupportedProtocol(f"no service routes {url.path}")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self.target(request.url)
        body = await request.aread()
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"host"]
        give_up = time.monotonic() + self.retry_for_s
        delay = self.backoff_s
        while True:
            attempt = httpx.Request(
                request.method, target, headers=headers, content=body, extensions=request.extensions
            )
            try:
                response = await self.inner.handle_async_request(attempt)
            except httpx.TransportError as exc:
                if time.monotonic() + delay > give_up:
                    raise
                logger.info("%s %s failed (%r); retrying in %.1fs", request.method, target, exc, delay)
            else:
                if response.status_code not in RETRIED_STATUSES or time.monotonic() + delay > give_up:
                    return response
                await response.aclose()
                logger.info("%s %s -> %d; retrying in %.1fs", request.method, target, response.status_code, delay)
            self.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def aclose(self) -> None:
        await self.inner.aclose()
