"""the last pre-check's verdicts for a submission, with what they were judged on

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:15:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    op.add_column("proposals", sa.Column("verdicts_key", sa.String(length=100), nullable=True))
    op.add_column("proposals", sa.Column("verdicts", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("proposals", "verdicts")
    op.drop_column("proposals", "verdicts_key")
