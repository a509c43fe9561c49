"""A consortium uploads a document to its draft: streamed, checked, content-addressed, linked.

The body is spooled to an anonymous temporary file while it arrives (never whole in memory), refused the
moment it passes the type's size limit; its media type is read from its first bytes, a PDF is opened with
pypdf (not encrypted, within the page limit). Only then is it stored and linked, in one transaction that
holds the proposal's lock: concurrent uploads to one draft queue there, and each sees the draft as the one
before left it. With the database store the bytes are written in that same transaction.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO

from pypdf import PdfReader

from shared.audit import audit_row
from shared.calls import CallConfiguration
from shared.document_types import DocumentType
from shared.errors import DeadlinePassed
from shared.http.principal import Principal
from shared.proposals import ProposalDraft
from shared.service import Runtime

from ..access import refuse_if_withdrawn, visible_proposal
from ..call_cache import CallCache
from ..document_repository import keep_blob, link_to_draft
from ..domain.documents import (
    PROPOSAL_LEVEL,
    SNIFF_BYTES,
    LinkedDocument,
    check_content,
    check_pages,
    document_type_for,
    sniff_media_type,
    too_large,
)
from ..domain.submission import submission_window_error
from ..errors import DocumentEncrypted, DocumentUnreadable
from ..repository import AnyRow, proposal_with_call, record_audit
from ..storage import CHUNK, DocumentStore
from ..unit_of_work import separate_unit_of_work


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
    calls: CallCache,
    store: DocumentStore,
    consortium: Principal,
    proposal_id: str,
    type_key: str,
    partner: str | None,
    upload: Upload,
) -> UploadResult:
    # Not the request's session: a session holds its connection until it ends, and a body may take minutes to
    # arrive. So two units of work of their own: a read that refuses what it can before the body is read, and,
    # once the body is spooled and checked, the one that stores and links it under the proposal's lock.
    async with separate_unit_of_work(runtime) as session:
        found = await proposal_with_call(session, proposal_id)
    judged, _, kind = _judged(runtime, calls, found, consortium, proposal_id, type_key, partner)
    if upload.declared_size is not None and upload.declared_size > kind.max_bytes:
        raise too_large(kind, partner)
    async with _Spool() as spool:
        await spool.receive(upload.chunks, kind.max_bytes, lambda: too_large(kind, partner))
        size, media_type = spool.size, sniff_media_type(spool.head)
        check_content(kind, partner, media_type)
        pages = None
        if media_type == "application/pdf":
            pages = await asyncio.to_thread(_pdf_pages, spool.readable(), kind.key, partner)
            check_pages(kind, partner, pages)
        async with separate_unit_of_work(runtime) as session:
            locked = await proposal_with_call(session, proposal_id, for_update=True)
            unchanged = (judged.draft_revision, judged.call_revision)
            if locked is None or (locked.draft_revision, locked.call_revision) != unchanged:
                # Judged again under the lock: the draft (its partners) or the call changed meanwhile.
                _judged(runtime, calls, locked, consortium, proposal_id, type_key, partner)
            else:
                refuse_if_withdrawn(locked.status)  # (a withdrawal changes neither revision)
                _refuse_outside_the_window(runtime, calls, locked)
            stored = await store.put(session, spool.chunks())
            now = runtime.clock.now()
            locator = await keep_blob(session, stored, now)
            if locator != stored.locator:
                await store.delete(session, stored.locator)  # the same bytes were kept already
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
                session,
                {
                    "proposal_id": proposal_id,
                    **document.__dict__,
                    "uploaded_at": now,
                    "uploaded_by": consortium.label,
                },
            )
            await record_audit(
                session,
                audit_row(
                    clock=runtime.clock,
                    actor=consortium.label,
                    action="document.replaced" if replaced else "document.uploaded",
                    entity="proposal",
                    entity_id=proposal_id,
                    call_id=judged.call_id,  # a proposal never moves to another call
                    after=document.receipt_entry(),
                ),
            )
    return UploadResult(document=document, replaced=replaced)


def _judged(
    runtime: Runtime,
    calls: CallCache,
    found: AnyRow | None,
    consortium: Principal,
    proposal_id: str,
    type_key: str,
    partner: str | None,
) -> tuple[AnyRow, ProposalDraft, DocumentType]:
    """The proposal, its draft and the document type, if this consortium may link such a document now."""
    proposal = visible_proposal(found, consortium, proposal_id)
    refuse_if_withdrawn(proposal.status)
    config = _refuse_outside_the_window(runtime, calls, proposal)
    draft = ProposalDraft.model_validate_json(proposal.draft)
    return proposal, draft, document_type_for(config, type_key, partner, draft)


def _refuse_outside_the_window(runtime: Runtime, calls: CallCache, proposal: AnyRow) -> CallConfiguration:
    """The call's configuration, if it accepts submissions (and so documents) now."""
    known = calls.known(proposal.call_snapshot, proposal.call_id)
    call, config = known.snapshot, known.config
    now = runtime.clock.now()
    refusal = submission_window_error(call, now)
    if refusal:
        raise DeadlinePassed(refusal, extra={"server_time": now.isoformat()})
    return config


class _Spool:
    """Where a body waits while it is checked: in memory up to MEMORY_LIMIT bytes (a letter, a short
    narrative: no file, no thread hand-offs), beyond that in an anonymous temporary file, written as it comes.
    Memory use is bounded by MEMORY_LIMIT whatever the size of the file."""

    MEMORY_LIMIT = CHUNK

    def __init__(self) -> None:
        self.size, self.head = 0, b""
        self._memory = bytearray()
        self._file: IO[bytes] | None = None

    async def __aenter__(self) -> _Spool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._file is not None:
            await asyncio.to_thread(self._file.close)

    async def receive(self, chunks: AsyncIterator[bytes], limit: int, refusal: Callable[[], Exception]) -> None:
        """Take the body as it arrives; refuse it as soon as it passes `limit` bytes."""
        async for chunk in chunks:
            self.size += len(chunk)
            if self.size > limit:
                raise refusal()
            if len(self.head) < SNIFF_BYTES:
                self.head += chunk[: SNIFF_BYTES - len(self.head)]
            if self._file is None and len(self._memory) + len(chunk) <= self.MEMORY_LIMIT:
                self._memory += chunk
                continue
            if self._file is None:
                self._file = await asyncio.to_thread(tempfile.TemporaryFile)
                chunk, self._memory = bytes(self._memory) + chunk, bytearray()
            await asyncio.to_thread(self._file.write, chunk)

    def readable(self) -> IO[bytes]:
        """A seekable file of the body (for pypdf, which reads what it needs of it)."""
        if self._file is None:
            return io.BytesIO(self._memory)
        self._file.flush()
        return self._file

    async def chunks(self) -> AsyncIterator[bytes]:
        if self._file is None:
            if self._memory or not self.size:
                yield bytes(self._memory)
            return
        spool = self._file
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
