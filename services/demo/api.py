"""What every phase needs to talk to the services: tokens per role and answers checked for errors."""

from __future__ import annotations

from typing import Any

import httpx

from shared.http.auth import issue_token
from shared.settings import ServiceSettings

Headers = dict[str, str]
PROBLEM_JSON = "application/problem+json"


class DemoError(RuntimeError):
    """A service answered something the demo cannot go on from."""


class Tokens:
    """Bearer headers per role, signed with the configured secret as `jointcall token` does."""

    def __init__(self, secret: str | None = None, algorithm: str | None = None) -> None:
        settings = ServiceSettings()  # JOINTCALL_JWT_SECRET and JOINTCALL_JWT_ALGORITHM
        self.secret = secret or settings.jwt_secret
        self.algorithm = algorithm or settings.jwt_algorithm
        self._issued: Headers = {}

    def __call__(self, role: str) -> Headers:
        if role not in self._issued:
            self._issued[role] = issue_token(self.secret, role, ttl_s=6 * 3600, algorithm=self.algorithm)
        return {"Authorization": f"Bearer {self._issued[role]}"}


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def checked(response: httpx.Response, *accepted: int) -> Any:
    """The JSON body of a successful answer (or of one of the `accepted` statuses); DemoError otherwise."""
    if response.status_code < 400 or response.status_code in accepted:
        return response.json() if response.content else None
    request = response.request
    raise DemoError(f"{request.method} {request.url.path} -> {response.status_code}: {response.text[:500]}")


def is_problem(response: httpx.Response, status: int) -> bool:
    return response.status_code == status and response.headers.get("content-type", "").startswith(PROBLEM_JSON)


async def all_pages(
    client: httpx.AsyncClient, path: str, headers: Headers, *, limit: int = 500, **params: Any
) -> list[Any]:
    """Every item of a cursor-paginated listing."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = checked(await client.get(path, params=query, headers=headers))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items
