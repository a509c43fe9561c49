"""Alembic environment of call_definition: its own metadata and version table."""

from alembic import context

from services.call_definition.models import Base
from shared.service import run_migrations_online

run_migrations_online(context, Base.metadata)
