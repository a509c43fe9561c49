"""The tables of proposal documents (on proposal_intake's metadata; imported by models.py).

Bytes are content-addressed: one `document_blobs` row per distinct SHA-256, wherever the store keeps the bytes
(`locator`: a file under the data folder, or the upload whose `document_chunks` rows hold them). A draft links
one blob per (document type, partner); a submitted version keeps its own links, so replacing a draft's document
never touches what a version points at, and bytes are never overwritten (their address is their hash).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UtcDateTime

from .models import Base


class DocumentBlob(Base):
    __tablename__ = "document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    locator: Mapped[str] = mapped_column(String(100))  # the store's name for the bytes
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    touched_at: Mapped[datetime] = mapped_column(UtcDateTime)  # last linked: orphans untouched for a while go

    __table_args__ = (Index("ix_document_blobs_touched", "touched_at"),)


class DocumentChunk(Base):
    """The database store's bytes: an upload's content in chunks of DatabaseStore.CHUNK bytes, in order."""

    __tablename__ = "document_chunks"

    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class _DocumentLink:
    type_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_key: Mapped[str] = mapped_column(String(20), primary_key=True)  # "" for a proposal-level document
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("document_blobs.sha256"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DraftDocument(_DocumentLink, Base):
    """The draft's current document of a type (and partner)."""

    __tablename__ = "draft_documents"

    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    uploaded_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_draft_documents_sha256", "sha256"),)


class VersionDocument(_DocumentLink, Base):
    """A submitted version's documents, as they were when it was submitted (never changed)."""

    __tablename__ = "version_documents"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_version_documents_sha256", "sha256"),)
