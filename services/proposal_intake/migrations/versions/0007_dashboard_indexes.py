"""indexes of the deadline dashboard: a call's proposals by status and start, its versions by submission time,
its partners by proposal and region (each count read from an index alone)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:10:00
"""

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    op.create_index("ix_region_partners_call", "region_partners", ["call_id", "proposal_id", "region_code"])
    op.create_index("ix_proposals_call_status", "proposals", ["call_id", "status", "created_at"])
    op.create_index("ix_proposal_versions_submitted", "proposal_versions", ["proposal_id", "version", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_proposal_versions_submitted", table_name="proposal_versions")
    op.drop_index("ix_proposals_call_status", table_name="proposals")
    op.drop_index("ix_region_partners_call", table_name="region_partners")
