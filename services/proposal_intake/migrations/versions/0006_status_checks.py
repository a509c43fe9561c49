"""the database refuses a proposal or invitation status the domain does not have

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:20:00
"""

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0006"
down_revision: str | None = "0005"

# The values as they stood when the checks came (domain.lifecycle), written out: every value the code has
# ever written is among them (an invitation's is the shortlist's outcome, InvitationOutcome.status).
_PROPOSAL_STATUSES = ["draft", "submitted", "withdrawn"]
_INVITATION_STATUSES = ["invited", "cap_reached", "no_go", "below_threshold", "ineligible"]
_CHECKS = {"proposals": {"status": _PROPOSAL_STATUSES}, "invitations": {"status": _INVITATION_STATUSES}}
# The tables whose rows refer to a proposal (kept aside while SQLite rebuilds the proposals table).
_CHILDREN = {"proposals": ["proposal_versions", "draft_documents"]}


def upgrade() -> None:
    add_status_checks(op, _CHECKS, children=_CHILDREN)


def downgrade() -> None:
    drop_status_checks(op, _CHECKS, children=_CHILDREN)
