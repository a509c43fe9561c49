"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
calls is one index range.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:30:00
"""

from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    add_audit_call_id(op, call_rows=True)


def downgrade() -> None:
    drop_audit_call_id(op)
