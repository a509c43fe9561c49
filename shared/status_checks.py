"""The database's side of a status enum: a CHECK constraint listing the enum's values.

Models declare it with `status_check` from the enum itself, so the two cannot drift; each service's migration
writes the values out (a migration stays as it was written) as data, table by table, given to `add_status_checks`
(and the same to `drop_status_checks` in its downgrade), and tests/deploy/test_status_checks.py checks that the
migrated schema lists exactly the models' values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import CheckConstraint


def check_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def values_sql(column: str, values: Iterable[str]) -> str:
    """`status IN ('draft', 'submitted')`: true for one of the values, and for NULL (a nullable column)."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


def status_check(table: str, column: str, values: Iterable[str]) -> CheckConstraint:
    """The CHECK constraint of a model's status column, built from its enum (`status_check(..., CallStatus)`)."""
    listed = tuple(str(value) for value in values)
    return CheckConstraint(
        values_sql(column, listed), name=check_name(table, column), info={"column": column, "values": listed}
    )


# In a migration: the values of each checked column, by table (`{"calls": {"status": [...]}}`), and the tables
# whose rows refer to a table (`{"calls": ["call_versions"]}`).
TableChecks = Mapping[str, Mapping[str, Sequence[str]]]
Children = Mapping[str, Sequence[str]]


def add_status_checks(op: Any, checks: TableChecks, *, children: Children | None = None) -> None:
    """In a migration: one CHECK constraint per column listed, table by table in order, listing its values.

    On SQLite a table is rebuilt (batch mode); with foreign keys on, dropping a table that other tables'
    rows refer to fails, so the rows of its `children` (the tables with a foreign key to it) wait in a temporary
    table meanwhile. On PostgreSQL the constraint is added in place and validated against every row."""
    for table, columns in checks.items():
        with _rebuilt(op, table, children) as batch:
            for column, values in columns.items():
                batch.create_check_constraint(check_name(table, column), values_sql(column, values))


def drop_status_checks(op: Any, checks: TableChecks, *, children: Children | None = None) -> None:
    """The downgrade of `add_status_checks` with the same data: the constraints dropped, tables in reverse order."""
    for table, columns in reversed(list(checks.items())):
        with _rebuilt(op, table, children) as batch:
            for column in columns:
                batch.drop_constraint(check_name(table, column), type_="check")


@contextmanager
def _rebuilt(op: Any, table: str, children: Children | None) -> Iterator[Any]:
    with _children_kept(op, (children or {}).get(table, ())), op.batch_alter_table(table) as batch:
        yield batch


@contextmanager
def _children_kept(op: Any, children: Sequence[str]) -> Iterator[None]:
    kept = children if op.get_bind().dialect.name == "sqlite" else ()
    for child in kept:
        op.execute(f"CREATE TEMPORARY TABLE _kept_{child} AS SELECT * FROM {child}")
        op.execute(f"DELETE FROM {child}")
    yield
    for child in reversed(kept):
        op.execute(f"INSERT INTO {child} SELECT * FROM _kept_{child}")
        op.execute(f"DROP TABLE _kept_{child}")
