"""Queries of proposal_intake. None of them reads more than one proposal's rows or one page.

The statements of the hot paths (draft, pre-check, submit) are Core statements built once, here: their
compiled form is cached by SQLAlchemy, and no ORM unit of work, identity map or attribute loading runs
for them. The rest of the service uses the ORM models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Executable,
    Row,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import dialect_name

from .domain.lifecycle import ProposalStatus
from .models import (
    IdempotentSubmission,
    Invitation,
    Proposal,
    ProposalVersion,
    RegionPartner,
    audit_log,
    call_copies,
    messaging,
)
from .unit_of_work import execute

proposals: Table = Proposal.__table__  # type: ignore[assignment]
proposal_versions: Table = ProposalVersion.__table__  # type: ignore[assignment]
idempotent_submissions: Table = IdempotentSubmission.__table__  # type: ignore[assignment]
region_partners: Table = RegionPartner.__table__  # type: ignore[assignment]
invitations: Table = Invitation.__table__  # type: ignore[assignment]

# A result row of any shape, its columns read by name (row.id, row.draft).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


async def get_proposal(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> Proposal | None:
    """With for_update, concurrent writers of this proposal queue behind each other."""
    query = select(Proposal).where(Proposal.id == proposal_id)
    if for_update:
        await _sqlite_write_lock(session, proposal_id)
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def _sqlite_write_lock(session: AsyncSession, proposal_id: str) -> None:
    if dialect_name(session) == "sqlite":
        # SQLite has no row locks: a write as the first statement takes the database's
        # write lock now, so two submissions cannot both read the same current version.
        await execute(session, _TOUCH, {"proposal_id": proposal_id})


_TOUCH = update(proposals).where(proposals.c.id == bindparam("proposal_id")).values(id=proposals.c.id)

# The proposal with its draft as JSON text and its call's stored snapshot as JSON text (None if the call is
# unknown here): what the pre-check and a submission need, in one statement. CAST AS TEXT: the driver would
# decode the JSON; the draft is validated straight from its text and the snapshot is parsed once per text.
_PROPOSAL_COLUMNS = (
    proposals.c.id,
    proposals.c.call_id,
    proposals.c.applicant_id,
    proposals.c.status,
    proposals.c.current_version,
    proposals.c.draft_revision,
    cast(proposals.c.draft, Text).label("draft"),
    cast(call_copies.c.snapshot, Text).label("call_snapshot"),
    call_copies.c.version.label("call_revision"),
    proposals.c.verdicts_key,
    cast(proposals.c.verdicts, Text).label("verdicts"),
    proposals.c.stage,
    proposals.c.pre_proposal_id,
)
_PROPOSAL_AND_CALL = proposals.outerjoin(call_copies, call_copies.c.call_id == proposals.c.call_id)
_PROPOSAL_WITH_CALL = (
    select(*_PROPOSAL_COLUMNS).select_from(_PROPOSAL_AND_CALL).where(proposals.c.id == bindparam("proposal_id"))
)
_PROPOSAL_WITH_CALL_FOR_UPDATE = _PROPOSAL_WITH_CALL.with_for_update(of=proposals)


async def proposal_with_call(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> AnyRow | None:
    """One row (id, call_id, applicant_id, status, current_version, draft_revision, draft, call_snapshot,
    call_revision, verdicts_key, verdicts), or None.

    With for_update the proposal row is locked (FOR UPDATE OF proposals: never the call's row), so concurrent
    submissions of one proposal queue here. A submission that waited for the lock reads the proposal as the
    one before it left it; the call copy as it was when the statement started (a moment earlier).
    """
    if for_update:
        await _sqlite_write_lock(session, proposal_id)
        query = _PROPOSAL_WITH_CALL_FOR_UPDATE
    else:
        query = _PROPOSAL_WITH_CALL
    return (await execute(session, query, {"proposal_id": proposal_id})).first()


# The receipt an Idempotency-Key produced: its proposal and, joined, that version's receipt columns (not the
# content). proposal_id is there even if the version row were missing (then version is None).
_RECEIPT_COLUMNS = (
    idempotent_submissions.c.proposal_id,
    proposal_versions.c.version,
    proposal_versions.c.submitted_at,
    proposal_versions.c.content_sha256,
    proposal_versions.c.warnings,
)
_THE_KEY = and_(
    idempotent_submissions.c.applicant_id == bindparam("applicant_id"),
    idempotent_submissions.c.key == bindparam("key"),
)
_VERSION_OF_THE_KEY = and_(
    proposal_versions.c.proposal_id == idempotent_submissions.c.proposal_id,
    proposal_versions.c.version == idempotent_submissions.c.version,
)
_EARLIER_RECEIPT = (
    select(*_RECEIPT_COLUMNS)
    .select_from(idempotent_submissions.outerjoin(proposal_versions, _VERSION_OF_THE_KEY))
    .where(_THE_KEY)
)


async def earlier_receipt(session: AsyncSession, applicant_id: str, key: str) -> AnyRow | None:
    """(proposal_id, version, submitted_at, content_sha256, warnings) of the key's submission, or None."""
    return (await execute(session, _EARLIER_RECEIPT, {"applicant_id": applicant_id, "key": key})).first()


async def lock_with_earlier_receipt(
    session: AsyncSession, proposal_id: str, applicant_id: str, key: str
) -> AnyRow | None:
    """proposal_with_call(for_update=True) and earlier_receipt in one statement: the row of the former, with the
    columns of the latter prefixed `earlier_` (earlier_proposal_id None: the key is new) and `earlier_fresh`.

    The lookup belongs after the lock: a request that waited for the lock must see the key of the submission
    it waited for. One statement reads as of the snapshot taken when it started, though: if it waited, the
    proposal row it returns is the newer one the other submission left (PostgreSQL re-reads a row it waited
    for), but the key's rows are as of that snapshot. So on PostgreSQL `earlier_fresh` tells whether the
    locked row is the very row the snapshot sees (same ctid): then no one changed the proposal since, and as
    a key is only ever written with a new version of its proposal, the lookup is current. If not (two
    requests for one proposal at once), the caller looks again (earlier_receipt) now that it holds the lock.
    On SQLite the write lock is taken before the statement: always fresh.
    """
    await _sqlite_write_lock(session, proposal_id)
    postgres = dialect_name(session) == "postgresql"
    query = _LOCK_WITH_EARLIER_RECEIPT_POSTGRES if postgres else _LOCK_WITH_EARLIER_RECEIPT
    parameters = {"proposal_id": proposal_id, "applicant_id": applicant_id, "key": key}
    return (await execute(session, query, parameters)).first()


def _lock_with_earlier_receipt(fresh: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return (
        select(
            *_PROPOSAL_COLUMNS,
            *(column.label(f"earlier_{column.name}") for column in _RECEIPT_COLUMNS),
            fresh.label("earlier_fresh"),
        )
        .select_from(
            _PROPOSAL_AND_CALL.outerjoin(idempotent_submissions, _THE_KEY).outerjoin(
                proposal_versions, _VERSION_OF_THE_KEY
            )
        )
        .where(proposals.c.id == bindparam("proposal_id"))
        .with_for_update(of=proposals)
    )


_AS_OF_SNAPSHOT = proposals.alias("as_of_snapshot")
_LOCK_WITH_EARLIER_RECEIPT = _lock_with_earlier_receipt(true())
# proposals.ctid = (the ctid of the proposal's row as the statement's snapshot sees it)
_LOCK_WITH_EARLIER_RECEIPT_POSTGRES = _lock_with_earlier_receipt(
    type_coerce(
        literal_column("proposals.ctid")
        == select(literal_column("as_of_snapshot.ctid"))
        .select_from(_AS_OF_SNAPSHOT)
        .where(_AS_OF_SNAPSHOT.c.id == bindparam("proposal_id"))
        .scalar_subquery(),
        Boolean,
    )
)


_REMEMBER_VERDICTS = (
    update(proposals)
    .where(proposals.c.id == bindparam("proposal_id"), proposals.c.draft_revision == bindparam("judged_revision"))
    .values(verdicts_key=bindparam("key"), verdicts=bindparam("judged_verdicts"))
)


async def remember_verdicts(
    session: AsyncSession, proposal_id: str, draft_revision: int, key: str, verdicts: dict[str, Any]
) -> None:
    """Keep what a pre-check found for a submission of this very draft revision (if the draft changed in the
    meantime, nothing is kept: the memo would be of a draft that no longer exists)."""
    await execute(
        session,
        _REMEMBER_VERDICTS,
        {"proposal_id": proposal_id, "judged_revision": draft_revision, "key": key, "judged_verdicts": verdicts},
    )


_INSERT_PROPOSAL = insert(proposals)


async def insert_proposal(session: AsyncSession, values: dict[str, Any]) -> None:
    await execute(session, _INSERT_PROPOSAL, values)


@dataclass(frozen=True)
class SubmissionRows:
    """Everything one submission writes, as column values; all in the caller's transaction."""

    version: dict[str, Any]  # proposal_versions
    idempotent: dict[str, Any] | None  # idempotent_submissions, when the request had an Idempotency-Key
    region_partners: list[dict[str, Any]]  # region_partners: the new version's partners by region
    had_region_partners: bool  # False on a first submission: no earlier partners to remove
    event: dict[str, Any]  # outbox: proposal.submitted
    audit: dict[str, Any]  # audit_log


async def record_submission(session: AsyncSession, rows: SubmissionRows) -> None:
    """Write a submission: the version, the key's receipt, the proposal marked submitted (at that version), its
    partners by region replaced, the outbox event and the audit record.

    On PostgreSQL in one statement (data-modifying WITH clauses: one round trip, one statement for SQLAlchemy
    and the server to run instead of six or seven); elsewhere (SQLite) one statement per table.
    """
    if dialect_name(session) == "postgresql":
        statement = _submission_statement(rows.idempotent is not None, rows.had_region_partners)
        await execute(session, statement, _submission_parameters(rows))
        return
    await execute(session, _INSERT_VERSION, rows.version)
    if rows.idempotent is not None:
        await execute(session, _INSERT_IDEMPOTENT, rows.idempotent)
    await execute(
        session,
        _MARK_SUBMITTED,
        {
            "proposal_id": rows.version["proposal_id"],
            "version": rows.version["version"],
            "now": rows.version["submitted_at"],
        },
    )
    await replace_region_partners(
        session, rows.region_partners, rows.version["proposal_id"], had_rows=rows.had_region_partners
    )
    await execute(session, _INSERT_EVENT, rows.event)
    await execute(session, _INSERT_AUDIT, rows.audit)


_INSERT_VERSION = insert(proposal_versions)
_INSERT_IDEMPOTENT = insert(idempotent_submissions)
_INSERT_EVENT = insert(messaging.outbox)
_INSERT_AUDIT = insert(audit_log)
_MARK_SUBMITTED = (
    update(proposals)
    .where(proposals.c.id == bindparam("proposal_id"))
    .values(status=ProposalStatus.SUBMITTED, current_version=bindparam("version"), updated_at=bindparam("now"))
)

# The PostgreSQL statement's parameters are the rows' column values, prefixed by table (v_, i_, o_, a_);
# the partners by region travel as one JSON array of their rows (rp_rows), expanded by json_to_recordset.
_PREFIXES = (("version", "v_"), ("idempotent", "i_"), ("event", "o_"), ("audit", "a_"))


def _submission_parameters(rows: SubmissionRows) -> dict[str, Any]:
    parameters: dict[str, Any] = {"rp_rows": rows.region_partners}
    for name, prefix in _PREFIXES:
        values = getattr(rows, name)
        if values is not None:
            parameters.update({prefix + column: value for column, value in values.items()})
    return parameters


def _bound(table: Table, prefix: str, columns: Any) -> dict[str, Any]:
    """VALUES of `columns` as bound parameters typed like the table's columns (JSON, UtcDateTime, ...)."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}


_SUBMISSION_STATEMENTS: dict[tuple[bool, bool], Executable] = {}


def _submission_statement(with_key: bool, had_region_partners: bool) -> Executable:
    """Built once per variant (and compiled once by SQLAlchemy's cache):

        WITH new_version AS (INSERT INTO proposal_versions ...),
             idempotency AS (INSERT INTO idempotent_submissions ...),      -- with an Idempotency-Key
             submitted AS (UPDATE proposals SET status, current_version, updated_at WHERE id = ...),
             stale_partners AS (DELETE FROM region_partners                 -- after an earlier submission
                                WHERE proposal_id = ... AND partner_key NOT IN (the new rows' keys)),
             partners AS (INSERT INTO region_partners SELECT ... FROM json_to_recordset(the new rows)
                          ON CONFLICT (proposal_id, partner_key) DO UPDATE SET ...),
             event AS (INSERT INTO outbox ...)
        INSERT INTO audit_log ...

    The sub-statements share one snapshot and none reads what another writes; the partners' DELETE and
    upsert touch disjoint keys, so the table ends as "delete them all, insert the new ones" leaves it.
    """
    key = (with_key, had_region_partners)
    statement = _SUBMISSION_STATEMENTS.get(key)
    if statement is not None:
        return statement
    version_columns = [c.name for c in proposal_versions.c]
    ctes = [insert(proposal_versions).values(_bound(proposal_versions, "v_", version_columns)).cte("new_version")]
    if with_key:
        columns = [c.name for c in idempotent_submissions.c]
        ctes.append(
            insert(idempotent_submissions).values(_bound(idempotent_submissions, "i_", columns)).cte("idempotency")
        )
    ctes.append(
        update(proposals)
        .where(proposals.c.id == bindparam("v_proposal_id"))
        .values(
            status=ProposalStatus.SUBMITTED,
            current_version=bindparam("v_version"),
            updated_at=bindparam("v_submitted_at"),
        )
        .cte("submitted")
    )
    partner_columns = [c.name for c in region_partners.c]
    new_rows = (
        func.json_to_recordset(bindparam("rp_rows", type_=JSON))
        .table_valued(*(column(c.name, c.type) for c in region_partners.c))
        .render_derived(name="rp", with_types=True)
    )
    if had_region_partners:
        ctes.append(
            delete(region_partners)
            .where(
                region_partners.c.proposal_id == bindparam("v_proposal_id"),
                region_partners.c.partner_key.not_in(select(new_rows.c.partner_key)),
            )
            .cte("stale_partners")
        )
    upsert = postgresql.insert(region_partners).from_select(
        partner_columns, select(*(new_rows.c[name] for name in partner_columns))
    )
    ctes.append(
        upsert.on_conflict_do_update(
            index_elements=[region_partners.c.proposal_id, region_partners.c.partner_key],
            set_={
                name: upsert.excluded[name] for name in partner_columns if name not in ("proposal_id", "partner_key")
            },
        ).cte("partners")
    )
    event_columns = ["event_id", "event_type", "subject", "correlation_id", "envelope", "created_at", "attempts"]
    ctes.append(insert(messaging.outbox).values(_bound(messaging.outbox, "o_", event_columns)).cte("event"))
    audit_columns = [c.name for c in audit_log.c if c.name != "id"]
    statement = insert(audit_log).values(_bound(audit_log, "a_", audit_columns)).add_cte(*ctes)
    _SUBMISSION_STATEMENTS[key] = statement
    return statement


async def versions_of(session: AsyncSession, proposal_id: str) -> list[ProposalVersion]:
    query = select(ProposalVersion).where(ProposalVersion.proposal_id == proposal_id).order_by(ProposalVersion.version)
    return list((await session.execute(query)).scalars())


async def list_for_call(
    session: AsyncSession, call_id: str, *, applicant_id: str | None, after_id: str | None, limit: int
) -> list[Proposal]:
    query = select(Proposal).where(Proposal.call_id == call_id).order_by(Proposal.id).limit(limit)
    if applicant_id is not None:
        query = query.where(Proposal.applicant_id == applicant_id)
    if after_id:
        query = query.where(Proposal.id > after_id)
    return list((await session.execute(query)).scalars())


async def partners_of_region(
    session: AsyncSession, call_id: str, region: str, *, after: tuple[str, str] | None, limit: int
) -> list[RegionPartner]:
    query = (
        select(RegionPartner)
        .where(RegionPartner.call_id == call_id, RegionPartner.region_code == region)
        .order_by(RegionPartner.proposal_id, RegionPartner.partner_key)
        .limit(limit)
    )
    if after is not None:
        query = query.where(
            (RegionPartner.proposal_id > after[0])
            | ((RegionPartner.proposal_id == after[0]) & (RegionPartner.partner_key > after[1]))
        )
    return list((await session.execute(query)).scalars())


_DELETE_REGION_PARTNERS = delete(region_partners).where(region_partners.c.proposal_id == bindparam("proposal_id"))
_INSERT_REGION_PARTNERS = insert(region_partners)


async def replace_region_partners(
    session: AsyncSession, rows: list[dict[str, Any]], proposal_id: str, *, had_rows: bool = True
) -> None:
    """The proposal's partners by region become `rows` (RegionPartner column values), in two statements at
    most: one DELETE, unless had_rows=False (never submitted: nothing to delete), and one bulk INSERT.

    Core statements: no RegionPartner object of this proposal is in the session (they are only read, by
    partners_of_region, in other requests), so nothing in an identity map needs synchronising.
    """
    if had_rows:
        await execute(session, _DELETE_REGION_PARTNERS, {"proposal_id": proposal_id})
    if rows:
        await execute(session, _INSERT_REGION_PARTNERS, rows)


# --- two-stage calls ------------------------------------------------------------------------------


async def invitation_of(session: AsyncSession, pre_proposal_id: str) -> AnyRow | None:
    """The pre-proposal's published outcome at the shortlist, or None (not published, or not a pre-proposal)."""
    query = select(invitations).where(invitations.c.pre_proposal_id == pre_proposal_id)
    return (await execute(session, query)).first()


async def replace_invitations(session: AsyncSession, call_id: str, rows: list[dict[str, Any]]) -> None:
    """The call's published outcomes become `rows` (a republication replaces the earlier one whole)."""
    await session.execute(delete(invitations).where(invitations.c.call_id == call_id))
    if rows:
        await session.execute(insert(invitations), rows)


async def latest_content(session: AsyncSession, proposal_id: str) -> dict[str, Any] | None:
    """The content of the proposal's latest submitted version, or None if it was never submitted."""
    query = (
        select(proposal_versions.c.content)
        .where(proposal_versions.c.proposal_id == proposal_id)
        .order_by(proposal_versions.c.version.desc())
        .limit(1)
    )
    content: dict[str, Any] | None = (await execute(session, query)).scalar()
    return content


async def full_proposal_of(session: AsyncSession, pre_proposal_id: str) -> str | None:
    """The id of the full proposal bound to the pre-proposal, if one was created."""
    query = select(proposals.c.id).where(proposals.c.pre_proposal_id == pre_proposal_id)
    found: str | None = (await execute(session, query)).scalar()
    return found


async def record_audit(session: AsyncSession, row: dict[str, Any]) -> None:
    await execute(session, _INSERT_AUDIT, row)


async def acronym_of(session: AsyncSession, proposal_id: str) -> str | None:
    found: str | None = (
        await execute(session, select(proposals.c.acronym).where(proposals.c.id == proposal_id))
    ).scalar()
    return found


async def refusal_records(session: AsyncSession, call_id: str, action: str) -> list[tuple[datetime, dict[str, Any]]]:
    """The call's audit records of one action (the refusals), oldest first: (at, after)."""
    query = (
        select(audit_log.c.at, audit_log.c.after)
        .where(audit_log.c.entity == "call", audit_log.c.entity_id == call_id, audit_log.c.action == action)
        .order_by(audit_log.c.id)
    )
    return [(at, after) for at, after in await execute(session, query)]
