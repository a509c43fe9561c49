"""Alembic environment of s3_strategy: its own metadata and version table."""

from alembic import context

from services.s3_strategy.models import Base
from shared.service import run_migrations_online

run_migrations_online(context, Base.metadata)
