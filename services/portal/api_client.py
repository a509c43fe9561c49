"""The services' public HTTP APIs, called with the signed-in person's own token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field_errors(self) -> dict[str, str]:
        """problem+json `errors[].field` -> message, so each message is shown at its field."""
        if not isinstance(self.body, dict):
            return {}
        return {
            str(error.get("field", "")).split(".")[-1]: str(error.get("message", ""))
            for error in self.body.get("errors", []) or []
            if isinstance(error, dict)
        }

    @property
    def detail(self) -> str:
        return str(self.body.get("detail", "")) if isinstance(self.body, dict) else ""


class Api:
    def __init__(
        self, client: httpx.AsyncClient, token: str | None, service_urls: dict[str, str] | None = None
    ) -> None:
        self._client = client
        self._service_urls = service_urls or {}
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> ApiAnswer:
        sent = {**self._headers, **(headers or {})}
        response = await self._client.request(method, self._url(path), headers=sent, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        return ApiAnswer(response.status_code, body)

    async def stream(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The service's response as it is, its body not read yet (a document's bytes, passed on as they come):
        the caller reads it with `aiter_bytes` and closes it with `aclose`."""
        request = self._client.build_request(method, self._url(path), headers=self._headers, **kwargs)
        return await self._client.send(request, stream=True)

    async def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The API's answer as it came (a file to pass on: CSV, XLSX)."""
        return await self._client.request(method, self._url(path), headers=self._headers, **kwargs)

    def _url(self, path: str) -> str:
        for prefix, base in self._service_urls.items():
            if path.startswith(prefix + "/"):
                return base.rstrip("/") + path[len(prefix) :]
        return path

    async def get(self, path: str, **params: Any) -> ApiAnswer:
        return await self.request("GET", path, params={k: v for k, v in params.items() if v not in (None, "")})
