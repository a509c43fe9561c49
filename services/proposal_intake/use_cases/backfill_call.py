"""Read-your-writes for the local copy of a call: a call published a moment ago whose event has not arrived yet
is fetched from call_definition's public API (`GET /calls/{id}`) and stored as its event would store it.

call_definition says it does not exist (404: unknown, or still a draft): a real 404. call_definition cannot
be asked (down, slow, 5xx): 503 `not-yet-known` with `Retry-After`, never a 404 for a call that may exist.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from shared.errors import NotFound, NotYetKnown
from shared.events import CallSnapshot, RegionSnapshot
from shared.readmodel import upsert_call_copy
from shared.service import Runtime

from ..models import call_copies
from .access import CallNotKnownHere

logger = logging.getLogger(__name__)

TIMEOUT_S = 5.0
# Fetches the call's public representation: the JSON of GET /calls/{id}, None if call_definition answers 404.
CallFetcher = Callable[[str], Awaitable[dict[str, Any] | None]]


def fetcher_for(app_state: Any) -> CallFetcher:
    """call_definition as this app reaches it: in process in the embedded default (the embedded app sets
    `call_definition_transport`), else at JOINTCALL_PROPOSAL_INTAKE_CALL_DEFINITION_URL."""
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
            raise NotYetKnown(_not_yet(call_id)) from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            logger.warning("call_definition answered %s for call %s", response.status_code, call_id)
            raise NotYetKnown(_not_yet(call_id))
        body: dict[str, Any] = response.json()
        return body

    return fetch


def snapshot_of(public: dict[str, Any]) -> CallSnapshot:
    """The call as its events carry it, from its public representation (CallOut)."""
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


async def backfill_call(runtime: Runtime, fetch: CallFetcher, call_id: str) -> None:
    """Store the call from call_definition in its own transaction (as its event would: an older copy never
    overwrites a newer one); NotFound if call_definition does not know it as a published call."""
    public = await fetch(call_id)
    if public is None or public.get("status") == "draft":
        raise NotFound(f"No published call {call_id}.")
    snapshot = snapshot_of(public)
    async with runtime.sessions() as session, session.begin():
        await upsert_call_copy(session, call_copies, snapshot, runtime.clock)
    logger.info("call %s back-filled from call_definition (revision %s)", call_id, snapshot.revision)


def _not_yet(call_id: str) -> str:
    return (
        f"Call {call_id} is not known here yet and call_definition could not be asked: if it was just "
        "published, its announcement is on its way. Retry after the Retry-After delay."
    )


T = TypeVar("T")


async def with_call_known(runtime: Runtime, fetch: CallFetcher, call_id: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """Run `attempt` (a use case in its own transaction); if this service has no copy of the call yet, back-fill
    it from call_definition and run it once more, in a new transaction that sees the copy."""
    try:
        return await attempt()
    except CallNotKnownHere:
        await backfill_call(runtime, fetch, call_id)
    try:
        return await attempt()
    except CallNotKnownHere as exc:  # stored and gone again: cannot happen unless the copy was removed
        raise NotYetKnown(_not_yet(call_id)) from exc
