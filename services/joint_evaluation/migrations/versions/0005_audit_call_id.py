"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
proposals, assessments and evaluators is one index range; the rows there get their call.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:30:00
"""

from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0005"
down_revision: str | None = "0004"

# The call of the rows already there, by entity: the row of a table (alias t) whose key is their entity_id.
_CALLS_OF = {
    "proposal": ("evaluation_entries", "t.proposal_id"),
    "assessment": ("assessments", "t.proposal_id || ':' || t.evaluator_id"),
    "evaluator": ("evaluators", "t.id"),
}


def upgrade() -> None:
    add_audit_call_id(op, _CALLS_OF, call_rows=True)


def downgrade() -> None:
    drop_audit_call_id(op)
