"""audit_log rows name the call they belong to (call_id, indexed with the id), as every service's do: here only
a topic's call started from it, the call's id taken from the row's own record of it (`after.call_id`)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 15:30:00
"""

import json

import sqlalchemy as sa
from alembic import op

from shared.common_schema import add_audit_call_id, drop_audit_call_id

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    add_audit_call_id(op)
    connection = op.get_bind()
    started = connection.execute(
        sa.text("SELECT id, after FROM audit_log WHERE entity = 'topic' AND action = 'topic.call_started'")
    ).all()
    for row_id, after in started:
        values = json.loads(after) if isinstance(after, str) else after
        connection.execute(
            sa.text("UPDATE audit_log SET call_id = :call_id WHERE id = :id"),
            {"call_id": (values or {}).get("call_id"), "id": row_id},
        )


def downgrade() -> None:
    drop_audit_call_id(op)
