"""proposal documents: content-addressed blobs, the database store's chunks, draft and version links

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:45:00
"""

import sqlalchemy as sa
from alembic import op

from shared.db import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"


def _link_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("type_key", sa.String(length=40), nullable=False),
        sa.Column("partner_key", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), sa.ForeignKey("document_blobs.sha256"), nullable=False),
        sa.Column("uploaded_at", UtcDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "document_blobs",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("locator", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("touched_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_document_blobs_touched", "document_blobs", ["touched_at"])
    op.create_table(
        "document_chunks",
        sa.Column("upload_id", sa.String(length=36), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "draft_documents",
        sa.Column("proposal_id", sa.String(length=36), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        *_link_columns(),
        sa.PrimaryKeyConstraint("proposal_id", "type_key", "partner_key"),
    )
    op.create_index("ix_draft_documents_sha256", "draft_documents", ["sha256"])
    op.create_table(
        "version_documents",
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_link_columns(),
        sa.PrimaryKeyConstraint("proposal_id", "version", "type_key", "partner_key"),
    )
    op.create_index("ix_version_documents_sha256", "version_documents", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_version_documents_sha256", table_name="version_documents")
    op.drop_table("version_documents")
    op.drop_index("ix_draft_documents_sha256", table_name="draft_documents")
    op.drop_table("draft_documents")
    op.drop_table("document_chunks")
    op.drop_index("ix_document_blobs_touched", table_name="document_blobs")
    op.drop_table("document_blobs")
