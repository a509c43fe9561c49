"""webhook subscriptions get a status (active, suspended by the circuit, deleted) and a failure count;
deliveries log a coarse outcome class instead of the error's text (which told open ports from closed ones)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 16:45:00
"""

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="active"))
        batch_op.add_column(sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("suspended_at", shared.db.UtcDateTime(timezone=True), nullable=True))
    op.execute("UPDATE webhook_subscriptions SET status = 'deleted' WHERE NOT active")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.alter_column("consecutive_failures", server_default=None)
        batch_op.drop_column("active")

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_outcome", sa.String(length=30), nullable=True))
    # What was logged as an exception's text is no longer shown; what it was is only known coarsely.
    op.execute("UPDATE webhook_deliveries SET last_outcome = 'unreachable' WHERE last_error IS NOT NULL")
    op.execute(
        "UPDATE webhook_deliveries SET last_outcome = CASE "
        "WHEN last_status_code BETWEEN 200 AND 299 THEN 'delivered' "
        "WHEN last_status_code BETWEEN 300 AND 399 THEN 'http_error_3xx' "
        "WHEN last_status_code BETWEEN 400 AND 499 THEN 'http_error_4xx' "
        "ELSE 'http_error_5xx' END "
        "WHERE last_error IS NULL AND last_status_code IS NOT NULL"
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_column("last_error")


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.drop_column("last_outcome")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE webhook_subscriptions SET active = (status <> 'deleted')")
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.alter_column("active", server_default=None)
        batch_op.drop_column("suspended_at")
        batch_op.drop_column("consecutive_failures")
        batch_op.drop_column("status")
