"""the database refuses a call status or a version kind the domain does not have

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The values as they stood when the checks came (domain.lifecycle.CallStatus, domain.amendments.VersionKind),
# written out: every value the code has ever written is among them.
_CALL_STATUSES = [
    "draft",
    "published",
    "open",
    "closed",
    "eligibility",
    "evaluation",
    "ranking",
    "funding_decisions",
    "results_published",
]
_VERSION_KINDS = ["publication", "deadline_extension", "budget_top_up", "text_correction", "document_types"]


def upgrade() -> None:
    add_status_checks(op, "calls", {"status": _CALL_STATUSES}, children=["call_versions"])
    add_status_checks(op, "call_versions", {"kind": _VERSION_KINDS})


def downgrade() -> None:
    drop_status_checks(op, "call_versions", ["kind"])
    drop_status_checks(op, "calls", ["status"], children=["call_versions"])
