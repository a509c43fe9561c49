"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
proposals and documents is one index range; the rows there get the call of their proposal.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

from alembic import op

from shared.common_schema import AUDIT_CALL_ROWS, add_audit_call_id, drop_audit_call_id

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    AUDIT_CALL_ROWS,
    "UPDATE audit_log SET call_id = (SELECT p.call_id FROM proposals p WHERE p.id = audit_log.entity_id) "
    "WHERE entity = 'proposal'",
]


def upgrade() -> None:
    add_audit_call_id(op, BACKFILL)


def downgrade() -> None:
    drop_audit_call_id(op)
