"""A consortium uploads a document to its draft: streamed, checked, content-addressed, linked.

The body is spooled to an anonymous temporary file while it arrives (never whole in memory), refused the
moment it passes the type's size limit; its media type is read from its first bytes, a PDF is opened with
pypdf (not encrypted, within the page limit). Only then is it stored and linked, in one transaction that
holds the proposal's lock: concurrent uploads to one draft queue there, and each sees the draft as the one
before left it. With the database store the bytes are written in that same transaction.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO

from pypdf import PdfReader

from shared.audit import audit_row
from shared.document_types import DocumentType
from shared.errors import DeadlinePassed
from shared.http.auth import Principal
from shared.proposals import ProposalDraft
from shared.service import Runtime

from ..document_repository import keep_blob, link_to_draft
from ..domain.documents import (
    PROPOSAL_LEVEL,
    SNIFF_BYTES,
    DocumentEncrypted,
    DocumentUnreadable,
    LinkedDocument,
    check_content,
    check_pages,
    document_type_for,
    sniff_media_type,
    too_large,
)
from ..domain.submission import submission_window_error
from ..models import audit_log
from ..repository import AnyRow, proposal_with_call
from ..storage import CHUNK, DocumentStore
from .access import call_from_snapshot, refuse_if_withdrawn, visible_proposal


@dataclass
class Upload:
    """What the request carries: the file's name (None until a multipart part names it) and its bytes."""

    chunks: AsyncIterator[bytes]
    name: str | None = None
    declared_size: int | None = None


@dataclass(frozen=True)
class UploadResult:
    document: LinkedDocument
    replaced: bool


async def upload_document(
    runtime: Runtime,
    store: DocumentStore,
    consortium: Principal,
    proposal_id: str,
    type_key: str,
    partner: str | None,
    upload: Upload,
) -> UploadResult:
    async with runtime.engine.connect() as connection:  # refuse what can be refused before reading the body
        found = await proposal_with_call(connection, proposal_id)
    _, _, kind = _judged(runtime, found, consortium, proposal_id, type_key, partner)
    if upload.declared_size is not None and upload.declared_size > kind.max_bytes:
        raise too_large(kind, partner)
    with tempfile.TemporaryFile() as spool:
        size, head = await _spool(upload.chunks, spool, kind.max_bytes, lambda: too_large(kind, partner))
        media_type = sniff_media_type(head)
        check_content(kind, partner, media_type)
        pages = None
        if media_type == "application/pdf":
            pages = await asyncio.to_thread(_pdf_pages, spool, kind.key, partner)
            check_pages(kind, partner, pages)
        async with runtime.engine.begin() as connection:
            locked = await proposal_with_call(connection, proposal_id, for_update=True)
            # Judged again under the lock: the draft (its partners) or the call may have changed meanwhile.
            _judged(runtime, locked, consortium, proposal_id, type_key, partner)
            stored = await store.put(connection, _read_back(spool))
            now = runtime.clock.now()
            locator = await keep_blob(connection, stored, now)
            if locator != stored.locator:
                await store.delete(connection, stored.locator)  # the same bytes were kept already
            document = LinkedDocument(
                type_key=kind.key,
                partner_key=partner or PROPOSAL_LEVEL,
                name=_file_name(upload.name, kind.key, media_type),
                media_type=media_type or "",
                size=size,
                pages=pages,
                sha256=stored.sha256,
            )
            replaced = await link_to_draft(
                connection,
                {
                    "proposal_id": proposal_id,
                    **document.__dict__,
                    "uploaded_at": now,
                    "uploaded_by": consortium.label,
                },
            )
            await connection.execute(
                audit_log.insert(),
                audit_row(
                    clock=runtime.clock,
                    actor=consortium.label,
                    action="document.replaced" if replaced else "document.uploaded",
                    entity="proposal",
                    entity_id=proposal_id,
                    after=document.receipt_entry(),
                ),
            )
    return UploadResult(document=document, replaced=replaced)


def _judged(
    runtime: Runtime, found: AnyRow | None, consortium: Principal, proposal_id: str, type_key: str, partner: str | None
) -> tuple[AnyRow, ProposalDraft, DocumentType]:
    """The proposal, its draft and the document type, if this consortium may link such a document now."""
    proposal = visible_proposal(found, consortium, proposal_id)
    refuse_if_withdrawn(proposal.status)
    call, config = call_from_snapshot(proposal.call_snapshot, proposal.call_id)
    now = runtime.clock.now()
    refusal = submission_window_error(call, now)
    if refusal:
        raise DeadlinePassed(refusal, extra={"server_time": now.isoformat()})
    draft = ProposalDraft.model_validate_json(proposal.draft)
    return proposal, draft, document_type_for(config, type_key, partner, draft)


async def _spool(
    chunks: AsyncIterator[bytes], spool: IO[bytes], limit: int, refusal: Callable[[], Exception]
) -> tuple[int, bytes]:
    """Write the body to `spool` as it arrives; refuse it as soon as it passes `limit` bytes. Returns its size
    and its first bytes (what the media type is read from)."""
    size, head = 0, b""
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise refusal()
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        await asyncio.to_thread(spool.write, chunk)
    await asyncio.to_thread(spool.flush)
    return size, head


async def _read_back(spool: IO[bytes]) -> AsyncIterator[bytes]:
    await asyncio.to_thread(spool.seek, 0)
    while chunk := await asyncio.to_thread(spool.read, CHUNK):
        yield chunk


def _pdf_pages(spool: IO[bytes], type_key: str, partner: str | None) -> int:
    """The page count of the spooled PDF (read from the file, never whole in memory); refuses a PDF that
    does not open or is encrypted."""
    spool.seek(0)
    try:
        reader = PdfReader(spool)
        if reader.is_encrypted:
            raise DocumentEncrypted(
                "The PDF is encrypted: upload it without a password.", document_type=type_key, partner=partner
            )
        return len(reader.pages)
    except DocumentEncrypted:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on a broken file
        raise DocumentUnreadable(
            f"The PDF cannot be opened ({type(exc).__name__}: {exc}).", document_type=type_key, partner=partner
        ) from exc


_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "application/zip": ".zip"}


def _file_name(given: str | None, type_key: str, media_type: str | None) -> str:
    """The name the consortium gave (its last path segment, at most 255 characters), or one from the type."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable() and c not in '"')[:255]
    return name or f"{type_key}{_EXTENSIONS.get(media_type or '', '')}"
