"""Alembic environment of regional_eligibility: its own metadata and version table."""

from alembic import context

from services.regional_eligibility.models import Base
from shared.service import run_migrations_online

run_migrations_online(context, Base.metadata)
