"""region_partners by call: the deadline dashboard counts a call's partners by region and by proposal

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_region_partners_call", "region_partners", ["call_id", "proposal_id", "region_code"])


def downgrade() -> None:
    op.drop_index("ix_region_partners_call", table_name="region_partners")
