"""Alembic environment of joint_evaluation: its own metadata and version table."""

from alembic import context

from services.joint_evaluation.models import Base
from shared.service import run_migrations_online

run_migrations_online(context, Base.metadata)
