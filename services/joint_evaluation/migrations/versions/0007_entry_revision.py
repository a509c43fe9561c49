"""a revision on every evaluation entry, bumped on each write: the key of what is kept of a call's entries

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation_entries") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("evaluation_entries") as batch:
        batch.drop_column("revision")
