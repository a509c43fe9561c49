"""Routes of call_definition: agencies define and publish calls; anyone reads the public ones."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from shared.errors import NotFound
from shared.http.auth import Principal, Role, require
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.service import DbSession, RuntimeDep

from ..domain.lifecycle import CallStatus
from ..repository import get_call, list_published
from ..use_cases.create_call import create_call
from ..use_cases.publish_call import publish_call
from ..use_cases.views import call_out, status_of
from .schemas import CallDraftIn, CallOut

router = APIRouter(prefix="/calls", tags=["calls"])
Agency = Annotated[Principal, Depends(require(Role.AGENCY))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CallOut, summary="Create a draft call")
async def post_call(body: CallDraftIn, session: DbSession, runtime: RuntimeDep, agency: Agency) -> CallOut:
    call = await create_call(session, runtime, agency, body)
    return call_out(call, runtime.clock.now())


@router.post("/{call_id}/publish", response_model=CallOut, summary="Publish a draft call (call.published)")
async def post_publish(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> CallOut:
    call = await publish_call(session, runtime, agency, str(call_id))
    return call_out(call, runtime.clock.now())


@router.get("", response_model=Page[CallOut], summary="Open and upcoming calls (public, no token)")
async def get_calls(
    session: DbSession,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CallOut]:
    after_id = str(decode_cursor(cursor, 1)[0]) if cursor else None
    now = runtime.clock.now()
    calls = await list_published(session, after_id=after_id, limit=limit)
    visible = [call_out(c, now) for c in calls if status_of(c, now) is not CallStatus.CLOSED]
    next_cursor = encode_cursor(calls[-1].id) if len(calls) == limit else None
    return Page[CallOut](items=visible, next_cursor=next_cursor)


@router.get("/{call_id}", response_model=CallOut, summary="One published call (public); drafts need an agency token")
async def get_one_call(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep) -> CallOut:
    call = await get_call(session, str(call_id))
    if call is None or call.status == CallStatus.DRAFT.value:
        raise NotFound(f"No published call {call_id}.")
    return call_out(call, runtime.clock.now())


@router.get("/{call_id}/draft", response_model=CallOut, summary="Any call, drafts included (agency)")
async def get_call_as_agency(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, _: Agency) -> CallOut:
    call = await get_call(session, str(call_id))
    if call is None:
        raise NotFound(f"No call {call_id}.")
    return call_out(call, runtime.clock.now())
