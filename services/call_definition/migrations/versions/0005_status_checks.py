"""the database refuses a call status or a version kind the domain does not have

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:10:00
"""

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0005"
down_revision: str | None = "0004"

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

_CHECKS = {"calls": {"status": _CALL_STATUSES}, "call_versions": {"kind": _VERSION_KINDS}}
# The tables whose rows refer to each (kept aside while SQLite rebuilds it).
_CHILDREN = {"calls": ["call_versions"]}


def upgrade() -> None:
    add_status_checks(op, _CHECKS, children=_CHILDREN)


def downgrade() -> None:
    drop_status_checks(op, _CHECKS, children=_CHILDREN)
