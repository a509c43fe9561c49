"""Queries of proposal documents (their tables: document_tables). Core statements, built once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, exists, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import dialect_name

from .document_tables import DocumentBlob, DocumentChunk, DraftDocument, VersionDocument
from .domain.documents import LinkedDocument
from .repository import region_partners
from .storage import StoredBytes
from .unit_of_work import execute

blobs: Table = DocumentBlob.__table__  # type: ignore[assignment]
chunks: Table = DocumentChunk.__table__  # type: ignore[assignment]
draft_documents: Table = DraftDocument.__table__  # type: ignore[assignment]
version_documents: Table = VersionDocument.__table__  # type: ignore[assignment]

_LINK_COLUMNS = ("type_key", "partner_key", "name", "media_type", "size", "pages", "sha256")


def _linked(row: Any) -> LinkedDocument:
    return LinkedDocument(**{name: getattr(row, name) for name in _LINK_COLUMNS})


_DRAFT_DOCUMENTS = (
    select(*(draft_documents.c[name] for name in _LINK_COLUMNS))
    .where(draft_documents.c.proposal_id == bindparam("proposal_id"))
    .order_by(draft_documents.c.type_key, draft_documents.c.partner_key)
)
_VERSION_DOCUMENTS = (
    select(*(version_documents.c[name] for name in _LINK_COLUMNS))
    .where(
        version_documents.c.proposal_id == bindparam("proposal_id"),
        version_documents.c.version == bindparam("version"),
    )
    .order_by(version_documents.c.type_key, version_documents.c.partner_key)
)


async def documents_of(session: AsyncSession, proposal_id: str, version: int | None = None) -> list[LinkedDocument]:
    """The draft's documents (version None) or a submitted version's, by type then partner."""
    if version is None:
        rows = await execute(session, _DRAFT_DOCUMENTS, {"proposal_id": proposal_id})
    else:
        rows = await execute(session, _VERSION_DOCUMENTS, {"proposal_id": proposal_id, "version": version})
    return [_linked(row) for row in rows]


def _keep_blob_statement(insert_of: Any) -> Any:
    statement = insert_of(blobs)
    return statement.on_conflict_do_update(
        index_elements=[blobs.c.sha256], set_={"touched_at": statement.excluded.touched_at}
    ).returning(blobs.c.locator)


# INSERT ... ON CONFLICT (sha256) DO UPDATE SET touched_at RETURNING locator, built once per dialect.
_KEEP_BLOB = {"postgresql": _keep_blob_statement(postgresql.insert), "sqlite": _keep_blob_statement(sqlite.insert)}


async def keep_blob(session: AsyncSession, stored: StoredBytes, now: datetime) -> str:
    """Record the stored bytes under their hash, or touch the row already there (the same content was kept
    before); returns the locator that counts (an earlier one if the content was already kept)."""
    statement = _KEEP_BLOB["postgresql" if dialect_name(session) == "postgresql" else "sqlite"]
    values = {"sha256": stored.sha256, "size": stored.size, "locator": stored.locator, "created_at": now}
    return str((await execute(session, statement, {**values, "touched_at": now})).scalar_one())


_BLOB = select(blobs.c.locator, blobs.c.size).where(blobs.c.sha256 == bindparam("sha256"))


async def blob_of(session: AsyncSession, sha256: str) -> tuple[str, int]:
    locator, size = (await execute(session, _BLOB, {"sha256": sha256})).one()
    return str(locator), int(size)


_THE_DRAFT_DOCUMENT = and_(
    draft_documents.c.proposal_id == bindparam("proposal_id"),
    draft_documents.c.type_key == bindparam("type_key"),
    draft_documents.c.partner_key == bindparam("partner_key"),
)
_DELETE_DRAFT_DOCUMENT = delete(draft_documents).where(_THE_DRAFT_DOCUMENT)
_INSERT_DRAFT_DOCUMENT = insert(draft_documents)


async def link_to_draft(session: AsyncSession, values: dict[str, Any]) -> bool:
    """The draft's document of (type, partner) becomes `values`; True if it replaced one. The earlier bytes
    stay where they are: a submitted version may point at them."""
    key = {name: values[name] for name in ("proposal_id", "type_key", "partner_key")}
    replaced = _count(await execute(session, _DELETE_DRAFT_DOCUMENT, key)) > 0
    await execute(session, _INSERT_DRAFT_DOCUMENT, values)
    return replaced


async def unlink_from_draft(session: AsyncSession, proposal_id: str, type_key: str, partner_key: str) -> bool:
    parameters = {"proposal_id": proposal_id, "type_key": type_key, "partner_key": partner_key}
    return _count(await execute(session, _DELETE_DRAFT_DOCUMENT, parameters)) > 0


_INSERT_VERSION_DOCUMENT = insert(version_documents)


async def freeze_documents(
    session: AsyncSession, proposal_id: str, version: int, documents: list[LinkedDocument], now: datetime
) -> None:
    """The submitted documents become the version's own links (in the submission's transaction, under its
    lock), never changed afterwards."""
    rows = [
        {
            "proposal_id": proposal_id,
            "version": version,
            **{n: getattr(d, n) for n in _LINK_COLUMNS},
            "uploaded_at": now,
        }
        for d in documents
    ]
    await execute(session, _INSERT_VERSION_DOCUMENT, rows)


_LINKED_ANYWHERE = or_(
    exists().where(draft_documents.c.sha256 == blobs.c.sha256),
    exists().where(version_documents.c.sha256 == blobs.c.sha256),
)
_ORPHANS = (
    select(blobs.c.sha256, blobs.c.locator)
    .where(blobs.c.touched_at < bindparam("cutoff"), ~_LINKED_ANYWHERE)
    .order_by(blobs.c.touched_at)
    .limit(bindparam("limit"))
)
# Deleted only if still an orphan untouched since the cutoff (an upload may have linked it meanwhile).
_DELETE_ORPHAN = delete(blobs).where(
    blobs.c.sha256 == bindparam("sha256"), blobs.c.touched_at < bindparam("cutoff"), ~_LINKED_ANYWHERE
)


async def orphans(session: AsyncSession, cutoff: datetime, limit: int) -> list[tuple[str, str]]:
    """(sha256, locator) of blobs no draft or version links, untouched since `cutoff`."""
    rows = await execute(session, _ORPHANS, {"cutoff": cutoff, "limit": limit})
    return [(str(sha256), str(locator)) for sha256, locator in rows]


async def forget_orphan(session: AsyncSession, sha256: str, cutoff: datetime) -> bool:
    result = await execute(session, _DELETE_ORPHAN, {"sha256": sha256, "cutoff": cutoff})
    return _count(result) > 0


_KNOWN_LOCATORS = select(blobs.c.locator).where(blobs.c.locator.in_(bindparam("locators", expanding=True)))


async def known_locators(session: AsyncSession, locators: list[str]) -> set[str]:
    if not locators:
        return set()
    return {str(row) for row in (await execute(session, _KNOWN_LOCATORS, {"locators": locators})).scalars()}


def _count(result: Any) -> int:
    """Rows a DELETE or UPDATE changed."""
    return int(result.rowcount)


_REGION_PARTNER_KEYS = select(region_partners.c.partner_key).where(
    region_partners.c.proposal_id == bindparam("proposal_id"), region_partners.c.region_code == bindparam("region")
)


async def region_partner_keys(session: AsyncSession, proposal_id: str, region: str) -> set[str]:
    """The keys of the region's partners in the proposal's latest submitted version."""
    rows = await execute(session, _REGION_PARTNER_KEYS, {"proposal_id": proposal_id, "region": region})
    return {str(key) for key in rows.scalars()}
