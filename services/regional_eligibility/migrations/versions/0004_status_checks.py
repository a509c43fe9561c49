"""the database refuses a case status, outcome, verdict, feed kind or webhook status the domain does not have

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:30:00
"""

from alembic import op

from shared.status_checks import add_status_checks, drop_status_checks

revision: str = "0004"
down_revision: str | None = "0003"

# The values as they stood when the checks came (domain.lifecycle, domain.checks, domain.notices,
# domain.webhooks, shared.webhooks.Outcome), written out: every value the code has ever written is among them.
_VERDICTS = ["pass", "fail", "needs_human"]
_CHECKS: dict[str, dict[str, list[str]]] = {
    "proposal_cases": {
        "status": ["awaiting_deadline", "checking", "decided", "withdrawn"],
        "outcome": ["pending", "eligible", "not_eligible"],
    },
    "partner_checks": {"automatic_verdict": _VERDICTS, "verdict": _VERDICTS},
    "region_events": {
        "type": [
            "checks.opened",
            "outcome.decided",
            "proposal.withdrawn",
            "proposal.invited",
            "proposal.not_invited",
            "grant.overdue",
            "payment.held",
        ]
    },
    "webhook_subscriptions": {"status": ["active", "suspended", "deleted"]},
    "webhook_deliveries": {
        "status": ["pending", "delivered", "failed", "cancelled", "suspended"],
        "last_outcome": [
            "delivered",
            "http_error_3xx",
            "http_error_4xx",
            "http_error_5xx",
            "timeout",
            "refused_address",
            "refused_url",
            "unreachable",
        ],
    },
}
# The tables whose rows refer to each (kept aside while SQLite rebuilds it).
_CHILDREN = {
    "proposal_cases": ["partner_checks"],
    "region_events": ["webhook_deliveries"],
    "webhook_subscriptions": ["webhook_deliveries"],
}


def upgrade() -> None:
    add_status_checks(op, _CHECKS, children=_CHILDREN)


def downgrade() -> None:
    drop_status_checks(op, _CHECKS, children=_CHILDREN)
