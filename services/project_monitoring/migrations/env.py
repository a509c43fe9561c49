"""Alembic environment of project_monitoring: its own metadata and version table."""

from alembic import context

from services.project_monitoring.models import Base
from shared.service import run_migrations_online

run_migrations_online(context, Base.metadata)
