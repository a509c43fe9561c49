"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
checks is one index range; the rows there get the call of their check.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    "UPDATE audit_log SET call_id = (SELECT c.call_id FROM partner_checks c "
    "WHERE CAST(c.id AS VARCHAR(20)) = audit_log.entity_id) WHERE entity = 'check'",
]


def upgrade() -> None:
    add_audit_call_id(op, BACKFILL)


def downgrade() -> None:
    drop_audit_call_id(op)
