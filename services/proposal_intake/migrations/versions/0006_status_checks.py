"""the database refuses a proposal or invitation status the domain does not have

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:20:00
"""

from collections.abc import Sequence

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as they stood when the checks came (domain.lifecycle), written out: every value the code has
# ever written is among them (an invitation's is the shortlist's outcome, InvitationOutcome.status).
_PROPOSAL_STATUSES = ["draft", "submitted", "withdrawn"]
_INVITATION_STATUSES = ["invited", "cap_reached", "no_go", "below_threshold", "ineligible"]
# The tables whose rows refer to a proposal (kept aside while SQLite rebuilds the proposals table).
_PROPOSAL_CHILDREN = ["proposal_versions", "draft_documents"]


def upgrade() -> None:
    add_status_checks(op, "proposals", {"status": _PROPOSAL_STATUSES}, children=_PROPOSAL_CHILDREN)
    add_status_checks(op, "invitations", {"status": _INVITATION_STATUSES})


def downgrade() -> None:
    drop_status_checks(op, "invitations", ["status"])
    drop_status_checks(op, "proposals", ["status"], children=_PROPOSAL_CHILDREN)
