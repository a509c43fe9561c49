"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
projects, contracts and reports is one index range; the rows there get their project's call.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 15:30:00
"""

from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0002"
down_revision: str | None = "0001"

# The call of the rows already there, by entity: the row of a table (alias t) whose key is their entity_id.
_CALLS_OF = {
    "project": ("projects", "t.proposal_id"),
    "partner_contract": ("partner_contracts", "t.partner_id"),
    "report": ("reports", "t.proposal_id || ':' || CAST(t.period AS VARCHAR(10))"),
}


def upgrade() -> None:
    add_audit_call_id(op, _CALLS_OF)


def downgrade() -> None:
    drop_audit_call_id(op)
