"""Read-your-writes for a service's copy of a call: a call published a moment ago whose event has not arrived yet
is read from call_definition's public API (`GET /calls/{id}`, no token needed) and stored as its event would store
it (an older copy never overwrites a newer one; the event, when it comes, changes nothing).

call_definition says it does not exist (404: unknown, or still a draft): a real 404. call_definition cannot
be asked (down, slow, 5xx): 503 `not-yet-known` with `Retry-After`, never a 404 for a call that may exist.
Each service reaches call_definition at its own JOINTCALL_<SERVICE>_CALL_DEFINITION_URL, or in process in the
embedded default (the embedded app sets `call_definition_transport` on the service app's state).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.errors import NotFound, NotYetKnown
from shared.events import CallSnapshot, RegionSnapshot
from shared.readmodel import upsert_call_copy

logger = logging.getLogger(__name__)

TIMEOUT_S = 5.0
NOT_YET_KNOWN_RESPONSE: dict[str, Any] = {
    "description": "The call is not known here yet and call_definition could not be asked (problem type "
    "not-yet-known): retry after the Retry-After header's seconds. A call that does not exist is a 404.",
    "content": {"application/problem+json": {}},
    "headers": {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}},
}
# Fetches the call's public representation: the JSON of GET /calls/{id}, None if call_definition answers 404.
CallFetcher = Callable[[str], Awaitable[dict[str, Any] | None]]


def fetcher_for(app_state: Any) -> CallFetcher:
    """call_definition as this app reaches it: in process in the embedded default, else at the service's
    `call_definition_url` setting."""
    transport: httpx.AsyncBaseTransport | None = getattr(app_state, "call_definition_transport", None)

    def client() -> httpx.AsyncClient:
        if transport is not None:
            return httpx.AsyncClient(transport=transport, base_url="http://call-definition", timeout=TIMEOUT_S)
        return httpx.AsyncClient(base_url=app_state.settings.call_definition_url, timeout=TIMEOUT_S)

    return http_fetcher(client)


def http_fetcher(client_factory: Callable[[], httpx.AsyncClient]) -> CallFetcher:
    async def fetch(call_id: str) -> dict[str, Any] | None:
        try:
            async with client_factory() as client:
                response = await client.get(f"/calls/{call_id}")
        except httpx.HTTPError as exc:
            logger.warning("call_definition unreachable for call %s: %s", call_id, exc)
            raise NotYetKnown(not_yet_known(call_id)) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            logger.warning("call_definition answered %s for call %s", response.status_code, call_id)
            raise NotYetKnown(not_yet_known(call_id))
        body: dict[str, Any] = response.json()
        return body

    return fetch


def snapshot_of(public: dict[str, Any]) -> CallSnapshot:
    """The call as its events carry it, from its public representation (call_definition's CallOut)."""
    config = public["configuration"]
    return CallSnapshot.model_validate(
        {
            "call_id": uuid.UUID(public["id"]),
            "version": public["version"],
            "revision": public["revision"],
            "code": public["code"],
            "title": public["title"],
            "status": public["status"],
            "opens_at": public["opens_at"],
            "deadline": public["deadline"],
            "regions": [
                RegionSnapshot(code=r["code"], name=r["name"], currency=r["currency"]) for r in config["regions"]
            ],
            "configuration": config,
        }
    )


async def fetch_published(fetch: CallFetcher, call_id: str) -> CallSnapshot:
    """The published call from call_definition; NotFound if it does not know it as published."""
    public = await fetch(call_id)
    if public is None or public.get("status") == "draft":
        raise NotFound(f"No published call {call_id}.")
    return snapshot_of(public)


async def backfill_in(
    session: AsyncSession, table: Table, fetch: CallFetcher, call_id: str, clock: Clock
) -> CallSnapshot:
    """Fetch the call and store it in `table` within the session's transaction; the call as fetched."""
    snapshot = await fetch_published(fetch, call_id)
    await upsert_call_copy(session, table, snapshot, clock)
    logger.info("call %s back-filled from call_definition (revision %s)", call_id, snapshot.revision)
    return snapshot


def not_yet_known(call_id: str) -> str:
    return (
        f"Call {call_id} is not known here yet and call_definition could not be asked: if it was just "
        "published, its announcement is on its way. Retry after the Retry-After delay."
    )
