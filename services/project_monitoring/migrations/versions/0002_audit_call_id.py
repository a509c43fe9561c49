"""audit_log rows name the call they belong to (call_id, indexed with the id): a call's audit trail across
projects, contracts and reports is one index range; the rows there get their project's call.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 15:30:00
"""

from collections.abc import Sequence

from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    "UPDATE audit_log SET call_id = (SELECT p.call_id FROM projects p WHERE p.proposal_id = audit_log.entity_id) "
    "WHERE entity = 'project'",
    "UPDATE audit_log SET call_id = (SELECT c.call_id FROM partner_contracts c "
    "WHERE c.partner_id = audit_log.entity_id) "
    "WHERE entity = 'partner_contract'",
    "UPDATE audit_log SET call_id = (SELECT r.call_id FROM reports r "
    "WHERE r.proposal_id || ':' || CAST(r.period AS VARCHAR(10)) = audit_log.entity_id) WHERE entity = 'report'",
]


def upgrade() -> None:
    add_audit_call_id(op, BACKFILL)


def downgrade() -> None:
    drop_audit_call_id(op)
