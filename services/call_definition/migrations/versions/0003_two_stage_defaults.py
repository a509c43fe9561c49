"""two-stage calls carry their stage-1 configuration

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 16:45:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"

# The defaults of shared/call_stages.py as they stood when two-stage calls got their configuration, written
# out here: a later change of the defaults must not change a call that already exists.
_DEFAULTS: dict[str, Any] = {
    "stage_one": {"required_fields": ["abstract"], "required_documents": [], "eligibility_rules": None},
    "evaluation": {
        "panel": {"evaluators_per_proposal": 2, "criteria": None, "thresholds": {}, "overall_threshold": None},
        "region_fit": False,
    },
    "shortlist": {"oversubscription_factor": "3", "region_factors": {}},
    "stage_two": {"new_partners_only_from_present_regions": True, "max_funding_increase": "0.1"},
}

_calls = sa.table("calls", sa.column("id", sa.String), sa.column("configuration", sa.JSON))


def upgrade() -> None:
    # One-stage calls stay exactly as they are; existing two-stage calls get the defaults written out, so that
    # what they were configured with is in their data, not in code.
    connection = op.get_bind()
    for call_id, configuration in connection.execute(sa.select(_calls.c.id, _calls.c.configuration)).all():
        if len(configuration.get("stages", [])) == 2 and configuration.get("two_stage") is None:
            changed = {**configuration, "two_stage": _DEFAULTS}
            connection.execute(_calls.update().where(_calls.c.id == call_id).values(configuration=changed))


def downgrade() -> None:
    connection = op.get_bind()
    for call_id, configuration in connection.execute(sa.select(_calls.c.id, _calls.c.configuration)).all():
        if "two_stage" in configuration:
            changed = {key: value for key, value in configuration.items() if key != "two_stage"}
            connection.execute(_calls.update().where(_calls.c.id == call_id).values(configuration=changed))
