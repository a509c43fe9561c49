"""two-stage calls: a proposal's stage and the pre-proposal a full proposal is bound to; the invitations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    # Every existing proposal is a proposal of its call's first (for one-stage calls: only) stage.
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("stage", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("pre_proposal_id", sa.String(length=36), nullable=True))
        batch.create_index("ux_proposals_pre_proposal", ["pre_proposal_id"], unique=True)
    op.create_table(
        "invitations",
        sa.Column("pre_proposal_id", sa.String(length=36), nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("applicant_id", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("stage_two_opens", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("stage_two_deadline", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", shared.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pre_proposal_id"),
    )
    op.create_index("ix_invitations_call", "invitations", ["call_id"])


def downgrade() -> None:
    op.drop_index("ix_invitations_call", table_name="invitations")
    op.drop_table("invitations")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_index("ux_proposals_pre_proposal")
        batch.drop_column("pre_proposal_id")
        batch.drop_column("stage")
