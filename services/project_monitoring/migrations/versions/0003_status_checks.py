"""the database refuses a project, contract or report status the domain does not have

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 15:50:00
"""

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0003"
down_revision: str | None = "0002"

# The values as they stood when the checks came (domain.contracting.ProjectStatus and ContractStatus,
# domain.reporting.ReportStatus), written out: every value the code has ever written is among them.
_CHECKS: dict[str, dict[str, list[str]]] = {
    "projects": {"status": ["contracting", "started", "cancelled"]},
    "partner_contracts": {"status": ["offered", "signed", "declined", "withdrawn"]},
    "reports": {"status": ["due", "submitted", "changes_requested", "accepted"]},
}
# The tables whose rows refer to a project (kept aside while SQLite rebuilds the projects table).
_CHILDREN = {"projects": ["grants", "partner_contracts", "reports"]}


def upgrade() -> None:
    add_status_checks(op, _CHECKS, children=_CHILDREN)


def downgrade() -> None:
    drop_status_checks(op, _CHECKS, children=_CHILDREN)
