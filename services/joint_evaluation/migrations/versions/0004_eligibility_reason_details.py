"""eligibility reasons as data: whom each is about, the rule, the numbers

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 17:10:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    with op.batch_alter_table("evaluation_entries") as batch:
        batch.add_column(sa.Column("eligibility_reason_details", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("evaluation_entries") as batch:
        batch.drop_column("eligibility_reason_details")
