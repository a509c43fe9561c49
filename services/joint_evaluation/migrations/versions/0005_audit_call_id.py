"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
proposals, assessments and evaluators is one index range; the rows there get their call.

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
    "UPDATE audit_log SET call_id = (SELECT e.call_id FROM evaluation_entries e "
    "WHERE e.proposal_id = audit_log.entity_id) "
    "WHERE entity = 'proposal'",
    "UPDATE audit_log SET call_id = (SELECT a.call_id FROM assessments a "
    "WHERE a.proposal_id || ':' || a.evaluator_id = audit_log.entity_id) WHERE entity = 'assessment'",
    "UPDATE audit_log SET call_id = (SELECT v.call_id FROM evaluators v WHERE v.id = audit_log.entity_id) "
    "WHERE entity = 'evaluator'",
]


def upgrade() -> None:
    add_audit_call_id(op, BACKFILL)


def downgrade() -> None:
    drop_audit_call_id(op)
