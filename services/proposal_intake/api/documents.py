"""Routes of proposal documents: a consortium uploads, lists, downloads and deletes its draft's documents;
agencies, regions and (with a grant) evaluators read what they may."""

from __future__ import annotations

import re
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from shared.http.auth import Principal, Role, require
from shared.http.body_limit import accepts_uploads
from shared.http.exact_json import ExactJsonRoute
from shared.http.params import PathKey
from shared.http.roles import Consortium
from shared.pagination import INT_MAX
from shared.service import DbSession, RuntimeDep

from ..errors import RangeNotSatisfiable
from ..storage import document_store
from ..use_cases.delete_document import delete_document
from ..use_cases.download_document import download_document
from ..use_cases.list_documents import list_documents
from ..use_cases.upload_document import upload_document
from .dependencies import Calls
from .presenters import documents_out, uploaded_out
from .schemas import DocumentsOut, UploadedOut
from .uploads import upload_of

router = APIRouter(tags=["documents"], route_class=ExactJsonRoute)
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.CONSORTIUM, Role.REGION, Role.EVALUATOR))]
Partner = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,20}$", description="Per-partner types: the key")]
Version = Annotated[int | None, Query(ge=1, le=INT_MAX, description="A submitted version (default: see the summary)")]
Grant = Annotated[
    str | None,
    Header(alias="X-Document-Grant", max_length=2000, description="Evaluators: the grant from joint_evaluation"),
]


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file: the raw bytes, or a multipart form with a part named `file`",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.put(
    "/proposals/{proposal_id}/documents/{document_type}",
    response_model=UploadedOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"description": "Replaced the draft's document of this type", "model": UploadedOut},
        413: {"description": "Larger than the type allows", "content": {"application/problem+json": {}}},
        415: {"description": "A media type the type does not take", "content": {"application/problem+json": {}}},
    },
    summary="Upload (or replace) the draft's document of a type, streamed; checked before it is linked",
)
@accepts_uploads
async def put_document(
    proposal_id: uuid.UUID,
    document_type: PathKey,
    request: Request,
    runtime: RuntimeDep,
    calls: Calls,
    consortium: Consortium,
    response: Response,
    partner: Partner = None,
    name: Annotated[str | None, Query(max_length=255, description="The file name (raw bodies)")] = None,
) -> UploadedOut:
    store = document_store(runtime.settings, runtime.engine)
    result = await upload_document(
        runtime, calls, store, consortium, str(proposal_id), document_type, partner, upload_of(request, name)
    )
    if result.replaced:
        response.status_code = status.HTTP_200_OK
    response.headers["ETag"] = f'"{result.document.sha256}"'
    return uploaded_out(result, runtime.clock.now())


@router.get(
    "/proposals/{proposal_id}/documents",
    response_model=DocumentsOut,
    summary="The documents one may read: the draft's (consortium, agency) or a version's; regions and evaluators "
    "(with a grant) read the submitted version",
)
async def get_documents(
    proposal_id: uuid.UUID,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    reader: Reader,
    version: Version = None,
    grant: Grant = None,
) -> DocumentsOut:
    readable = await list_documents(session, runtime, calls, reader, str(proposal_id), version=version, grant=grant)
    return documents_out(proposal_id, readable)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) of a single `Range: bytes=` range, or None for the whole document."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or not any(match.groups()):
        return None  # a form not supported here (e.g. several ranges): the whole document, as RFC 9110 allows
    first, last = match.groups()
    if not first:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(f"The document has {size} bytes.", headers={"Content-Range": f"bytes */{size}"})
    return start, end


@router.get(
    "/proposals/{proposal_id}/documents/{document_type}/content",
    response_class=StreamingResponse,
    responses={
        200: {"description": "The document's bytes", "content": {"application/octet-stream": {}}},
        206: {"description": "The requested range", "content": {"application/octet-stream": {}}},
        304: {"description": "Not modified (If-None-Match matched the ETag, the document's SHA-256)"},
    },
    summary="Download a document (ETag: its SHA-256; Range requests); audited unless its consortium reads it",
)
async def get_document_content(
    proposal_id: uuid.UUID,
    document_type: PathKey,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    reader: Reader,
    partner: Partner = None,
    version: Version = None,
    grant: Grant = None,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    # The request's session commits before the response is sent (DbSession): the audit record of the download
    # is durable before its first byte goes out; the bytes stream afterwards, on a connection of the store's.
    download = await download_document(
        session, runtime, calls, reader, str(proposal_id), document_type, partner, version=version, grant=grant
    )
    document = download.document
    etag = f'"{document.sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document.name)}",
        "X-Content-Type-Options": "nosniff",  # the media type is the one recognised at upload: no guessing
        "Cache-Control": "private, no-store",
    }
    if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    store = document_store(runtime.settings, runtime.engine)
    chosen = _byte_range(range_header, document.size)
    if chosen is None:
        headers["Content-Length"] = str(document.size)
        body = store.open(download.locator, document.size)
        return StreamingResponse(body, media_type=document.media_type, headers=headers)
    start, end = chosen
    headers["Content-Range"] = f"bytes {start}-{end}/{document.size}"
    headers["Content-Length"] = str(end - start + 1)
    body = store.open(download.locator, document.size, start, end)
    return StreamingResponse(body, status_code=206, media_type=document.media_type, headers=headers)


@router.delete(
    "/proposals/{proposal_id}/documents/{document_type}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a document from the consortium's own draft (submitted versions keep theirs)",
)
async def delete_draft_document(
    proposal_id: uuid.UUID,
    document_type: PathKey,
    session: DbSession,
    runtime: RuntimeDep,
    calls: Calls,
    consortium: Consortium,
    partner: Partner = None,
) -> Response:
    await delete_document(session, runtime, calls, consortium, str(proposal_id), document_type, partner)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
