"""when the clock next changes a call's recorded status

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:50:00
"""

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    op.add_column("calls", sa.Column("clock_due_at", shared.db.UtcDateTime(timezone=True), nullable=True))
    op.create_index("ix_calls_clock_due", "calls", ["clock_due_at"])
    # Calls the clock still follows are due at once: its first pass records where each stands and when it
    # is due next (with two stages, an opening or closing that is not the first opening or the deadline).
    op.execute("UPDATE calls SET clock_due_at = opens_at WHERE status IN ('published', 'open')")


def downgrade() -> None:
    op.drop_index("ix_calls_clock_due", table_name="calls")
    op.drop_column("calls", "clock_due_at")
