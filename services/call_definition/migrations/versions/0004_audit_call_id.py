"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
calls is one index range.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

from alembic import op

from shared.common_schema import AUDIT_CALL_ROWS, add_audit_call_id, drop_audit_call_id

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    AUDIT_CALL_ROWS,
]


def upgrade() -> None:
    add_audit_call_id(op, BACKFILL)


def downgrade() -> None:
    drop_audit_call_id(op)
