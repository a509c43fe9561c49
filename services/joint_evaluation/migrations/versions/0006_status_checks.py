"""the database refuses an eligibility, assessment status, funding trigger or reserve offer status the domain
does not have

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:45:00
"""

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0006"
down_revision: str | None = "0005"

# The values as they stood when the checks came (domain.status.Eligibility, domain.assessment.AssessmentStatus,
# domain.funding.FundingTrigger, domain.reserve.OfferStatus), written out: every value the code has ever
# written is among them (a simulation's trigger is never stored, and allowed all the same).
_CHECKS: dict[str, dict[str, list[str]]] = {
    "evaluation_entries": {"eligibility": ["pending", "eligible", "not_eligible"]},
    "assessments": {"status": ["draft", "submitted"]},
    "funding_rounds": {"trigger": ["run", "decline", "withdrawal", "simulation"]},
    "reserve_offers": {"status": ["proposed", "superseded", "funded", "nothing_fundable"]},
}


def upgrade() -> None:
    add_status_checks(op, _CHECKS)


def downgrade() -> None:
    drop_status_checks(op, _CHECKS)
