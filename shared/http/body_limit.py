"""Request body size caps: a body beyond its route's cap is a 413 problem, refused before it is read.

Every route takes at most `max_body_bytes` (JOINTCALL_MAX_BODY_BYTES, 1 MiB by default: a proposal of 30
partners with 50 cost categories each is about 150 KB); a route marked `@accepts_uploads` (documents, later)
takes up to `max_upload_bytes` (JOINTCALL_MAX_UPLOAD_BYTES, 50 MiB). A Content-Length beyond the cap is
refused at once, before a byte of the body is read; a body without one (chunked) is counted as it arrives and
refused as soon as it passes the cap. So a 21 MB draft costs the process nothing but the answer.

The cap is judged when the endpoint first reads the body, after routing, so it knows the route: one pure ASGI
middleware wrapping `receive`, the answer the 413 problem (`payload-too-large`) of shared/http/problems.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

E = TypeVar("E", bound=Callable[..., Any])
_UPLOADS = "__jointcall_accepts_uploads__"


def accepts_uploads(endpoint: E) -> E:
    """On an endpoint that takes documents: its body may be up to max_upload_bytes, not max_body_bytes."""
    setattr(endpoint, _UPLOADS, True)
    return endpoint


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than this route accepts ({limit:,} bytes).")
        self.limit = limit


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int | None = None
        received = 0

        async def limited_receive() -> Message:
            nonlocal limit, received
            if limit is None:  # the first read: routing is done, scope["endpoint"] is the route's
                limit = self._limit_of(scope)
                declared = _content_length(scope)
                if declared is not None and declared > limit:
                    raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)

    def _limit_of(self, scope: Scope) -> int:
        uploads = getattr(scope.get("endpoint"), _UPLOADS, False)
        return self.max_upload_bytes if uploads else self.max_body_bytes


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
