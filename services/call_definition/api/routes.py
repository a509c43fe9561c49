"""Routes of call_definition: agencies define, publish, amend and move calls on; anyone reads
the published ones."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Response, status

from shared.calls import CallConfiguration
from shared.http.auth import Principal, optional_principal
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import Cursor, SmallLimit
from shared.http.problems import with_body_check
from shared.http.roles import Agency
from shared.pagination import Page
from shared.service import DbSession, RuntimeDep

from ..calls import etag
from ..domain.amendments import Amendment
from ..domain.lifecycle import CallStatus
from ..domain.validation import validate_what_parses
from ..examples import alpine_call
from ..use_cases.amend_call import amend_call
from ..use_cases.change_status import change_status
from ..use_cases.create_call import create_call
from ..use_cases.list_calls import list_calls
from ..use_cases.list_open_calls import list_open_calls
from ..use_cases.list_versions import list_versions
from ..use_cases.publish_call import publish_call
from ..use_cases.read_audit import read_audit
from ..use_cases.read_call import read_call
from ..use_cases.update_draft import update_draft
from .presenters import audit_out, call_out, call_page, versions_out
from .schemas import AuditEntryOut, CallOut, CallVersionOut, TransitionIn

router = APIRouter(prefix="/calls", tags=["calls"], route_class=ExactJsonRoute)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CallOut, summary="Create a draft call")
@with_body_check(validate_what_parses)
async def post_call(
    body: CallConfiguration, session: DbSession, runtime: RuntimeDep, agency: Agency, response: Response
) -> CallOut:
    call = await create_call(session, runtime, agency, body)
    response.headers["ETag"] = etag(call)
    return call_out(call, runtime.clock.now())


@router.put("/{call_id}", response_model=CallOut, summary="Replace a draft's configuration (If-Match: its ETag)")
@with_body_check(validate_what_parses)
async def put_call(
    call_id: uuid.UUID,
    body: CallConfiguration,
    session: DbSession,
    runtime: RuntimeDep,
    agency: Agency,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> CallOut:
    call = await update_draft(session, runtime, agency, str(call_id), body, if_match)
    response.headers["ETag"] = etag(call)
    return call_out(call, runtime.clock.now())


@router.post("/{call_id}/publish", response_model=CallOut, summary="Publish a draft (call.published, version 1)")
async def post_publish(call_id: uuid.UUID, session: DbSession, runtime: RuntimeDep, agency: Agency) -> CallOut:
    return call_out(await publish_call(session, runtime, agency, str(call_id)), runtime.clock.now())


@router.post(
    "/{call_id}/amendments",
    response_model=CallOut,
    status_code=status.HTTP_201_CREATED,
    summary="Amend a published call: deadline extension, budget top-up or text correction",
)
async def post_amendment(
    call_id: uuid.UUID, body: Annotated[Amendment, Body()], session: DbSession, runtime: RuntimeDep, agency: Agency
) -> CallOut:
    return call_out(await amend_call(session, runtime, agency, str(call_id), body), runtime.clock.now())


@router.post(
    "/{call_id}/transitions",
    response_model=CallOut,
    summary="Move a closed call on: eligibility, evaluation, ranking, funding_decisions, results_published",
)
async def post_transition(
    call_id: uuid.UUID, body: TransitionIn, session: DbSession, runtime: RuntimeDep, agency: Agency
) -> CallOut:
    call = await change_status(session, runtime, agency, str(call_id), body.to, body.reason)
    return call_out(call, runtime.clock.now())


@router.get("", response_model=Page[CallOut], summary="Open and upcoming calls (public, no token needed)")
async def get_calls(
    session: DbSession, runtime: RuntimeDep, limit: SmallLimit = 50, cursor: Cursor = None
) -> Page[CallOut]:
    now = runtime.clock.now()
    return call_page(await list_open_calls(session, now=now, cursor=cursor, limit=limit), now)


@router.get(
    "/examples/alpine",
    summary="The Alpine Space example call, as a configuration to start a new call from (agency)",
)
async def get_alpine_example(_: Agency) -> dict[str, object]:
    """The shipped example (11 regions, EUR and CHF, the document types), as `POST /calls` takes it; the portal's
    "new call from the Alpine example" starts from it."""
    return alpine_call(documents=True)


@router.get("/all", response_model=Page[CallOut], summary="Every call, drafts included, by recorded status (agency)")
async def get_all_calls(
    session: DbSession,
    runtime: RuntimeDep,
    _: Agency,
    status: CallStatus | None = None,
    limit: SmallLimit = 50,
    cursor: Cursor = None,
) -> Page[CallOut]:
    calls = await list_calls(session, status=status, cursor=cursor, limit=limit)
    return call_page(calls, runtime.clock.now())


@router.get(
    "/{call_id}", response_model=CallOut, summary="A call: public once published; a draft needs an agency token"
)
async def get_one_call(
    call_id: uuid.UUID,
    session: DbSession,
    runtime: RuntimeDep,
    response: Response,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> CallOut:
    call = await read_call(session, reader=principal, call_id=str(call_id))
    response.headers["ETag"] = etag(call)
    return call_out(call, runtime.clock.now())


@router.get(
    "/{call_id}/versions",
    response_model=list[CallVersionOut],
    summary="Every published version of the call, with who amended it, when and why (public)",
)
async def get_versions(call_id: uuid.UUID, session: DbSession) -> list[CallVersionOut]:
    return versions_out(await list_versions(session, call_id=str(call_id)))


@router.get("/{call_id}/audit", response_model=list[AuditEntryOut], summary="The call's audit trail (agency)")
async def get_audit(call_id: uuid.UUID, session: DbSession, _: Agency) -> list[AuditEntryOut]:
    return audit_out(await read_audit(session, call_id=str(call_id)))
