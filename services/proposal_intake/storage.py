"""Where the bytes of proposal documents live, behind one small interface (an S3-compatible store can be
added beside these two without touching the use cases).

- FileStore (embedded): one file per content under <data dir>/documents/, named by its SHA-256, written to a
  temporary name, flushed to disk and renamed into place before the upload's transaction commits.
- DatabaseStore (full stack): the bytes in chunk rows of proposal_intake's own database, written in the very
  transaction that links them to the draft: a 2xx means the bytes are durable, a crash leaves nothing half
  stored, and every API replica reads the same rows (no shared volume).

Both are content-addressed by the caller (document_blobs); a store only keeps, streams and drops bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from .document_tables import DocumentChunk
from .unit_of_work import execute

CHUNK = 1024 * 1024  # bytes per read, write and chunk row


@dataclass(frozen=True)
class StoredBytes:
    locator: str  # the store's name for them (what open and delete take)
    sha256: str
    size: int


class DocumentStore(Protocol):
    async def put(self, session: AsyncSession, chunks: AsyncIterator[bytes]) -> StoredBytes:
        """Keep the bytes (in the session's transaction, where the store is the database)."""

    def open(self, locator: str, size: int, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes start..end (inclusive; end None: to the last), streamed in chunks."""

    async def delete(self, session: AsyncSession, locator: str) -> None:
        """Drop bytes no document links any more (orphan collection)."""


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, locator: str) -> Path:
        return self.root / locator[:2] / locator

    async def put(self, session: AsyncSession, chunks: AsyncIterator[bytes]) -> StoredBytes:
        digest, size = hashlib.sha256(), 0
        temporary = self.root / "incoming" / f"{uuid.uuid4().hex}.part"
        handle = await asyncio.to_thread(_create, temporary)
        try:
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                await asyncio.to_thread(handle.write, chunk)
            sha256 = digest.hexdigest()
            # Flushed to disk, then renamed into place: the same content replaces itself, no byte changes.
            await asyncio.to_thread(_settle, handle, temporary, self._path(sha256))
        finally:
            handle.close()
        return StoredBytes(locator=sha256, sha256=sha256, size=size)

    async def open(self, locator: str, size: int, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        last = size - 1 if end is None else end
        handle = await asyncio.to_thread(self._path(locator).open, "rb")
        try:
            await asyncio.to_thread(handle.seek, start)
            left = last - start + 1
            while left > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def delete(self, session: AsyncSession, locator: str) -> None:
        await asyncio.to_thread(self._path(locator).unlink, missing_ok=True)

    def stray_files(self, older_than_s: float) -> list[Path]:
        """Uploads cut off before their transaction committed (temporary files left behind)."""
        incoming = self.root / "incoming"
        if not incoming.is_dir():
            return []
        cutoff = time.time() - older_than_s
        return [path for path in incoming.iterdir() if path.stat().st_mtime < cutoff]

    def stored_files(self, older_than_s: float) -> list[tuple[str, Path]]:
        """(locator, path) of the stored files older than that (the orphan collector checks them against rows)."""
        cutoff = time.time() - older_than_s
        return [
            (path.name, path)
            for folder in (self.root.iterdir() if self.root.is_dir() else [])
            if folder.is_dir() and len(folder.name) == 2
            for path in folder.iterdir()
            if path.stat().st_mtime < cutoff
        ]


def _create(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("wb")


def _settle(handle: IO[bytes], temporary: Path, target: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)


_chunks: Table = DocumentChunk.__table__  # type: ignore[assignment]
_INSERT_CHUNK = insert(_chunks)
_READ_CHUNK = select(_chunks.c.data).where(
    _chunks.c.upload_id == bindparam("upload_id"), _chunks.c.seq == bindparam("seq")
)
_DELETE_CHUNKS = delete(_chunks).where(_chunks.c.upload_id == bindparam("upload_id"))


class DatabaseStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def put(self, session: AsyncSession, chunks: AsyncIterator[bytes]) -> StoredBytes:
        upload_id, digest, size, seq, pending = str(uuid.uuid4()), hashlib.sha256(), 0, 0, bytearray()
        async for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            pending += chunk
            while len(pending) >= CHUNK:  # rows of exactly CHUNK bytes (the last shorter): a range finds its rows
                await execute(
                    session, _INSERT_CHUNK, {"upload_id": upload_id, "seq": seq, "data": bytes(pending[:CHUNK])}
                )
                del pending[:CHUNK]
                seq += 1
        if pending or seq == 0:
            await execute(session, _INSERT_CHUNK, {"upload_id": upload_id, "seq": seq, "data": bytes(pending)})
        return StoredBytes(locator=upload_id, sha256=digest.hexdigest(), size=size)

    async def open(self, locator: str, size: int, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Row by row on a connection of its own (the response streams after the request's transaction)."""
        last = size - 1 if end is None else end
        if last < start:
            return
        async with self.engine.connect() as connection:
            for seq in range(start // CHUNK, last // CHUNK + 1):
                data = (await connection.execute(_READ_CHUNK, {"upload_id": locator, "seq": seq})).scalar_one()
                offset = seq * CHUNK
                yield data[max(start - offset, 0) : last - offset + 1]

    async def delete(self, session: AsyncSession, locator: str) -> None:
        await execute(session, _DELETE_CHUNKS, {"upload_id": locator})


def document_store(settings: object, engine: AsyncEngine) -> DocumentStore:
    """The store the settings choose (default: files on SQLite, the database on PostgreSQL)."""
    from .settings import Settings

    assert isinstance(settings, Settings)
    choice = settings.document_store or ("database" if engine.dialect.name == "postgresql" else "files")
    if choice == "database":
        return DatabaseStore(engine)
    return FileStore(settings.data_dir / "documents")
