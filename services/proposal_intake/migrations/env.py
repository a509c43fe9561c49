"""Alembic environment of proposal_intake: its own metadata and version table."""

from alembic import context

from services.proposal_intake.models import Base
from shared.service import run_migrations_online

run_migrations_online(context, Base.metadata)
