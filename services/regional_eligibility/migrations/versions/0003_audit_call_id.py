"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
checks is one index range; the rows there get the call of their check.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 15:30:00
"""

from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0003"
down_revision: str | None = "0002"

# The call of the rows already there, by entity: the row of a table (alias t) whose key is their entity_id.
_CALLS_OF = {"check": ("partner_checks", "CAST(t.id AS VARCHAR(20))")}


def upgrade() -> None:
    add_audit_call_id(op, _CALLS_OF)


def downgrade() -> None:
    drop_audit_call_id(op)
