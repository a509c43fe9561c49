"""The common tables' DDL, as every service's first migration creates them: the audit trail, the outbox and
inbox, and the copy of the calls a service follows.

One definition for every service's migrations. It is the schema of revision 0001 and stays as it is: a later
change to a common table (shared.audit, shared.messaging.tables, shared.readmodel) is a new migration in
each service, checked by tests/deploy/test_migrations_match_models.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from shared.db import UtcDateTime

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UNPUBLISHED = {"postgresql_where": sa.text("published_at IS NULL"), "sqlite_where": sa.text("published_at IS NULL")}


def create_common_tables(op: Any, *, call_copies: bool) -> None:
    """audit_log, inbox and outbox; call_copies too for a service that follows calls."""
    op.create_table(
        "audit_log",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("correlation_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entity", "audit_log", ["entity", "entity_id"], unique=False)
    if call_copies:
        op.create_table(
            "call_copies",
            sa.Column("call_id", sa.String(length=36), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("snapshot", sa.JSON(), nullable=False),
            sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("call_id"),
        )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id", name="pk_inbox"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], unique=False, **_UNPUBLISHED)


def drop_common_tables(op: Any, *, call_copies: bool) -> None:
    op.drop_index("ix_outbox_unpublished", table_name="outbox", **_UNPUBLISHED)
    op.drop_table("outbox")
    op.drop_table("inbox")
    if call_copies:
        op.drop_table("call_copies")
    op.drop_index("ix_audit_entity", table_name="audit_log")
    op.drop_table("audit_log")


def add_audit_call_id(
    op: Any, calls_of: Mapping[str, tuple[str, str]] | None = None, *, call_rows: bool = False
) -> None:
    """audit_log gets the call each row belongs to, indexed with the id (a call's trail, newest first), and the
    rows already there get theirs: a call's own rows (`call_rows`) its id, an entity's rows in `calls_of`
    (`{entity: (table, key)}`) the `call_id` of the row of `table` (alias `t`) whose `key`, an SQL expression, is
    their `entity_id`."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_id", sa.String(length=36), nullable=True))
    op.create_index("ix_audit_call", "audit_log", ["call_id", "id"], unique=False)
    if call_rows:
        op.execute("UPDATE audit_log SET call_id = entity_id WHERE entity = 'call'")
    for entity, (table, key) in (calls_of or {}).items():
        op.execute(
            f"UPDATE audit_log SET call_id = (SELECT t.call_id FROM {table} t WHERE {key} = audit_log.entity_id) "
            f"WHERE entity = '{entity}'"
        )


def drop_audit_call_id(op: Any) -> None:
    op.drop_index("ix_audit_call", table_name="audit_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("call_id")
