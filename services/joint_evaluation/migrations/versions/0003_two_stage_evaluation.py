"""two-stage calls: each entry's stage, the regions' stage-1 fit, the decided shortlist

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 17:15:00
"""

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    # Every existing entry is a proposal of its call's first (for one-stage calls: only) stage.
    with op.batch_alter_table("evaluation_entries") as batch:
        batch.add_column(sa.Column("stage", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("pre_proposal_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("applicant_id", sa.String(length=100), nullable=True))
    op.create_table(
        "region_fit",
        sa.Column("proposal_id", sa.String(length=36), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("go", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", "region_code"),
    )
    op.create_index("ix_region_fit_call", "region_fit", ["call_id"])
    op.create_table(
        "shortlist_decisions",
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("confirmations", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", shared.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("call_id"),
    )


def downgrade() -> None:
    op.drop_table("shortlist_decisions")
    op.drop_index("ix_region_fit_call", table_name="region_fit")
    op.drop_table("region_fit")
    with op.batch_alter_table("evaluation_entries") as batch:
        batch.drop_column("applicant_id")
        batch.drop_column("pre_proposal_id")
        batch.drop_column("stage")
