"""Queries of joint_evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, and_, delete, exists, func, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, defer

from .domain.assessment import AssessmentStatus
from .domain.status import Eligibility
from .models import (
    Assessment,
    AssignedPair,
    CallProgress,
    Consensus,
    DeclaredConflict,
    EvaluationEntry,
    Evaluator,
    FundingDecline,
    FundingRound,
    RegionConfirmation,
    RegionFit,
    ShortlistDecision,
    call_copies,
)

Pair = tuple[str, str]  # (evaluator id, proposal id)
Ts = TypeVarTuple("Ts")


# --- proposals -------------------------------------------------------------------------------------


async def get_entry(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> EvaluationEntry | None:
    query = select(EvaluationEntry).where(EvaluationEntry.proposal_id == proposal_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def entry_for_update(session: AsyncSession, proposal_id: str, call_id: str, now: datetime) -> EvaluationEntry:
    """The entry, created empty if none of its events was seen yet."""
    entry = await get_entry(session, proposal_id, for_update=True)
    if entry is None:
        entry = EvaluationEntry(**_empty_entry(proposal_id, call_id, now))
        session.add(entry)
    return entry


_DECISION_COLUMNS = (
    "eligibility_version",
    "decision_version",
    "eligibility",
    "eligibility_reasons",
    "eligibility_reason_details",
    "ineligible_partners",
    "dropped_partners",
    "updated_at",
)


def _decision_upsert(dialect: Any) -> Any:
    """INSERT the entry, or on its key UPDATE the decision's columns if the decision is newer than the stored one
    (by proposal version, then decision version), the revision bumped as the ORM's version counter does."""
    table = EvaluationEntry.__table__
    statement = dialect.insert(table)
    new = statement.excluded
    newer = or_(
        table.c.eligibility_version < new.eligibility_version,
        and_(
            table.c.eligibility_version == new.eligibility_version,
            table.c.decision_version < new.decision_version,
        ),
    )
    changed = {name: new[name] for name in _DECISION_COLUMNS} | {"revision": table.c.revision + 1}
    return statement.on_conflict_do_update(index_elements=[table.c.proposal_id], set_=changed, where=newer)


_DECISION_UPSERTS = {"postgresql": _decision_upsert(postgresql), "sqlite": _decision_upsert(sqlite)}


async def record_decision_on_entry(
    session: AsyncSession,
    proposal_id: str,
    call_id: str,
    now: datetime,
    versions: tuple[int, int],
    changes: dict[str, Any],
) -> None:
    """In one statement, what `entry_for_update` then setting the decision on it does when the decision's
    `versions` (proposal version, decision version) are newer than the entry's (eligibility_version,
    decision_version): the entry created when none of its events was seen yet, else changed if the decision is
    newer (the comparison is the statement's). Nothing is read: the event carries all that is written."""
    version, decision_version = versions
    decided = {**changes, "eligibility_version": version, "decision_version": decision_version}
    # A decision no newer than an empty entry's (0, 0) creates the entry empty, as entry_for_update would.
    values = {**_empty_entry(proposal_id, call_id, now), **(decided if versions > (0, 0) else {}), "revision": 1}
    await session.execute(_DECISION_UPSERTS[session.get_bind().dialect.name], values)


def _empty_entry(proposal_id: str, call_id: str, now: datetime) -> dict[str, Any]:
    return {
        "proposal_id": proposal_id,
        "call_id": call_id,
        "proposal_version": 0,
        "topics": [],
        "partners": [],
        "eligibility_version": 0,
        "decision_version": 0,
        "eligibility": Eligibility.PENDING,
        "eligibility_reasons": [],
        "eligibility_reason_details": [],
        "ineligible_partners": [],
        "dropped_partners": [],
        "updated_at": now,
    }


async def entry_with_call_key(
    session: AsyncSession, proposal_id: str
) -> tuple[EvaluationEntry, CallCopyKey | None] | None:
    """In one query: the entry and the key of its call's stored copy (None: no copy)."""
    query = (
        select(EvaluationEntry, call_copies.c.version, call_copies.c.received_at)
        .outerjoin(call_copies, call_copies.c.call_id == EvaluationEntry.call_id)
        .where(EvaluationEntry.proposal_id == proposal_id)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    entry, version, received_at = row
    return entry, None if version is None else (entry.call_id, version, received_at)


def keyset(query: Select[*Ts], key: InstrumentedAttribute[str], after_id: str | None, limit: int | None) -> Select[*Ts]:
    """One page of `query` by `key`: ordered by it, after `after_id` (if any), at most `limit` rows (if any)."""
    query = query.order_by(key)
    if after_id:
        query = query.where(key > after_id)
    return query if limit is None else query.limit(limit)


async def entries_of_call(
    session: AsyncSession, call_id: str, *, after_id: str | None = None, limit: int | None = None
) -> list[EvaluationEntry]:
    query = select(EvaluationEntry).where(EvaluationEntry.call_id == call_id)
    return list((await session.execute(keyset(query, EvaluationEntry.proposal_id, after_id, limit))).scalars())


async def funding_rows_of_call(session: AsyncSession, call_id: str) -> list[Row[tuple[Any, ...]]]:
    """What the funding walk reads of each proposal of the call: its id, partners, excluded partners and whether
    it is withdrawn; the columns alone, not whole entries (the walk reads every proposal of the call)."""
    query = select(
        EvaluationEntry.proposal_id,
        EvaluationEntry.partners,
        EvaluationEntry.dropped_partners,
        EvaluationEntry.ineligible_partners,
        EvaluationEntry.withdrawn_at,
    ).where(EvaluationEntry.call_id == call_id)
    return list(await session.execute(query))


async def entries_revision(session: AsyncSession, call_id: str) -> tuple[int, int]:
    """How many entries the call has and the sum of their revisions: it changes with any write to any of them
    (each write bumps its entry's revision, no entry is deleted), so it keys what is kept of them."""
    query = select(func.count(), func.coalesce(func.sum(EvaluationEntry.revision), 0)).where(
        EvaluationEntry.call_id == call_id
    )
    count, total = (await session.execute(query)).one()
    return int(count), int(total)


def evaluable() -> ColumnElement[bool]:
    """SQL for EvaluationEntry.evaluable: eligible on the version that counts, not withdrawn."""
    return and_(
        EvaluationEntry.withdrawn_at.is_(None),
        EvaluationEntry.eligibility == Eligibility.ELIGIBLE,
        EvaluationEntry.eligibility_version == EvaluationEntry.proposal_version,
    )


async def evaluable_entries(session: AsyncSession, call_id: str) -> list[EvaluationEntry]:
    query = select(EvaluationEntry).where(EvaluationEntry.call_id == call_id, evaluable())
    return list((await session.execute(query.order_by(EvaluationEntry.proposal_id))).scalars())


# --- the call's local copy ------------------------------------------------------------------------------

CallCopyKey = tuple[str, int, datetime]  # (call, version, received_at): names one stored version


async def call_copy_key(session: AsyncSession, call_id: str) -> CallCopyKey | None:
    """What names the stored copy of the call (None: no copy), without reading its snapshot."""
    query = select(call_copies.c.version, call_copies.c.received_at).where(call_copies.c.call_id == call_id)
    row = (await session.execute(query)).one_or_none()
    return None if row is None else (call_id, row.version, row.received_at)


async def call_copy_row(session: AsyncSession, call_id: str) -> tuple[CallCopyKey, dict[str, Any]] | None:
    """The stored copy of the call as JSON, with what names it."""
    columns = (call_copies.c.version, call_copies.c.received_at, call_copies.c.snapshot)
    row = (await session.execute(select(*columns).where(call_copies.c.call_id == call_id))).one_or_none()
    return None if row is None else ((call_id, row.version, row.received_at), row.snapshot)


# --- evaluators and conflicts ------------------------------------------------------------------------


async def get_evaluator(session: AsyncSession, evaluator_id: str) -> Evaluator | None:
    return await session.get(Evaluator, evaluator_id)


async def evaluators_of_call(
    session: AsyncSession, call_id: str, *, after_id: str | None = None, limit: int | None = None
) -> list[Evaluator]:
    query = select(Evaluator).where(Evaluator.call_id == call_id)
    return list((await session.execute(keyset(query, Evaluator.id, after_id, limit))).scalars())


async def get_declared_conflict(session: AsyncSession, evaluator_id: str, proposal_id: str) -> DeclaredConflict | None:
    return await session.get(DeclaredConflict, (evaluator_id, proposal_id))


async def declared_conflicts_of_call(session: AsyncSession, call_id: str) -> list[DeclaredConflict]:
    query = select(DeclaredConflict).where(DeclaredConflict.call_id == call_id)
    return list((await session.execute(query)).scalars())


async def declared_conflicts_of_proposal(session: AsyncSession, proposal_id: str) -> list[DeclaredConflict]:
    query = select(DeclaredConflict).where(DeclaredConflict.proposal_id == proposal_id)
    return list((await session.execute(query.order_by(DeclaredConflict.declared_at))).scalars())


async def evaluator_with_assigned(
    session: AsyncSession, evaluator_id: str, proposal_id: str
) -> tuple[Evaluator, EvaluationEntry | None, bool, CallCopyKey | None] | None:
    """In one query: the evaluator (None: not registered), the proposal if it is assigned to it (None: not
    assigned, or no such proposal), whether the evaluator declared a conflict with it and the key of its call's
    stored copy (None: no proposal, or no copy)."""
    declared = exists().where(
        DeclaredConflict.evaluator_id == Evaluator.id, DeclaredConflict.proposal_id == proposal_id
    )
    assigned = and_(AssignedPair.evaluator_id == Evaluator.id, AssignedPair.proposal_id == proposal_id)
    query = (
        select(Evaluator, EvaluationEntry, declared, call_copies.c.version, call_copies.c.received_at)
        .outerjoin(AssignedPair, assigned)
        .outerjoin(EvaluationEntry, EvaluationEntry.proposal_id == AssignedPair.proposal_id)
        .outerjoin(call_copies, call_copies.c.call_id == EvaluationEntry.call_id)
        .where(Evaluator.id == evaluator_id)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    evaluator, entry, conflict, version, received_at = row
    key = None if entry is None or version is None else (entry.call_id, version, received_at)
    return evaluator, entry, bool(conflict), key


# --- assignment ---------------------------------------------------------------------------------------


async def pairs_of_call(session: AsyncSession, call_id: str) -> list[AssignedPair]:
    query = select(AssignedPair).where(AssignedPair.call_id == call_id)
    return list((await session.execute(query.order_by(AssignedPair.proposal_id, AssignedPair.evaluator_id))).scalars())


async def pairs_of_proposals(session: AsyncSession, proposal_ids: list[str]) -> list[AssignedPair]:
    query = select(AssignedPair).where(AssignedPair.proposal_id.in_(proposal_ids))
    return list((await session.execute(query.order_by(AssignedPair.proposal_id, AssignedPair.evaluator_id))).scalars())


async def get_pair(session: AsyncSession, evaluator_id: str, proposal_id: str) -> AssignedPair | None:
    return await session.get(AssignedPair, (proposal_id, evaluator_id))


async def remove_pairs(session: AsyncSession, pairs: Iterable[Pair]) -> None:
    """Remove the pairs and whatever their evaluators wrote for those proposals."""
    keys = [(proposal_id, evaluator_id) for evaluator_id, proposal_id in pairs]
    if not keys:
        return
    for model in (AssignedPair, Assessment):
        columns = tuple_(model.proposal_id, model.evaluator_id)
        await session.execute(delete(model).where(columns.in_(keys)))


async def assigned_to(
    session: AsyncSession, evaluator_id: str, *, after_id: str | None, limit: int
) -> list[tuple[EvaluationEntry, Assessment | None]]:
    """The evaluator's assigned proposals it may see (evaluable, no declared conflict), by proposal id."""
    declared = exists().where(
        DeclaredConflict.evaluator_id == evaluator_id, DeclaredConflict.proposal_id == AssignedPair.proposal_id
    )
    query = (
        select(EvaluationEntry, Assessment)
        .join(AssignedPair, AssignedPair.proposal_id == EvaluationEntry.proposal_id)
        .outerjoin(
            Assessment,
            and_(Assessment.proposal_id == AssignedPair.proposal_id, Assessment.evaluator_id == evaluator_id),
        )
        .where(AssignedPair.evaluator_id == evaluator_id, evaluable(), ~declared)
    )
    query = keyset(query, EvaluationEntry.proposal_id, after_id, limit)
    return [(entry, assessment) for entry, assessment in (await session.execute(query)).all()]


# --- assessments and consensus ------------------------------------------------------------------------


async def get_assessment(
    session: AsyncSession, proposal_id: str, evaluator_id: str, *, for_update: bool = False
) -> Assessment | None:
    query = select(Assessment).where(Assessment.proposal_id == proposal_id, Assessment.evaluator_id == evaluator_id)
    return (await session.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()


async def assessments_of(session: AsyncSession, proposal_id: str) -> list[Assessment]:
    query = select(Assessment).where(Assessment.proposal_id == proposal_id).order_by(Assessment.evaluator_id)
    return list((await session.execute(query)).scalars())


async def get_consensus(session: AsyncSession, proposal_id: str, *, for_update: bool = False) -> Consensus | None:
    query = select(Consensus).where(Consensus.proposal_id == proposal_id)
    return (await session.execute(query.with_for_update() if for_update else query)).scalar_one_or_none()


async def consensus_of_call(session: AsyncSession, call_id: str) -> dict[str, Consensus]:
    query = select(Consensus).where(Consensus.call_id == call_id)
    return {c.proposal_id: c for c in (await session.execute(query)).scalars()}


async def finalised_proposal_ids(session: AsyncSession, call_id: str) -> set[str]:
    query = select(Consensus.proposal_id).where(Consensus.call_id == call_id, Consensus.finalised_at.is_not(None))
    return set((await session.execute(query)).scalars())


# --- the call's progress and its funding ----------------------------------------------------------------


async def progress_for_update(session: AsyncSession, call_id: str, now: datetime) -> CallProgress:
    """The call's progress row, locked (created on first use): call-wide steps queue on it."""
    return await _progress_locked(session, call_id, now, read=False)


async def progress_for_share(session: AsyncSession, call_id: str, now: datetime) -> CallProgress:
    """The call's progress row, share-locked (created on first use): a per-proposal step (the consensus) that
    must not overlap a call-wide one (which locks it for update) without queueing behind the other proposals'."""
    return await _progress_locked(session, call_id, now, read=True)


async def _progress_locked(session: AsyncSession, call_id: str, now: datetime, *, read: bool) -> CallProgress:
    """Locked as it is found; only when there is none yet inserted first (two first uses meet on the key), then
    locked: a call has its row from its first call-wide step on, so one statement as a rule, not two."""
    query = select(CallProgress).where(CallProgress.call_id == call_id).with_for_update(read=read)
    if (progress := (await session.execute(query)).scalar_one_or_none()) is not None:
        return progress
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"call_id": call_id, "shortfalls": [], "funding_version": 0, "updated_at": now}
    await session.execute(dialect.insert(CallProgress).values(values).on_conflict_do_nothing())
    return (await session.execute(query)).scalar_one()


async def consensus_row_for_update(session: AsyncSession, call_id: str, proposal_id: str, now: datetime) -> Consensus:
    """The proposal's consensus row, locked (created on first use: two first uses at once meet on the key)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"proposal_id": proposal_id, "call_id": call_id, "overrides": {}, "updated_at": now}
    await session.execute(dialect.insert(Consensus).values(values).on_conflict_do_nothing())
    query = select(Consensus).where(Consensus.proposal_id == proposal_id).with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one()


async def get_progress(session: AsyncSession, call_id: str) -> CallProgress | None:
    return await session.get(CallProgress, call_id)


async def progress_without_ranking(session: AsyncSession, call_id: str) -> CallProgress | None:
    """The call's progress without its fixed ranking (a large JSON document: 1.5 MB for 5,000 proposals), for the
    reads that need only its figures; reading `ranking` on it raises rather than loading it unseen."""
    query = (
        select(CallProgress).where(CallProgress.call_id == call_id).options(defer(CallProgress.ranking, raiseload=True))
    )
    return (await session.execute(query)).scalar_one_or_none()


async def completion_of(session: AsyncSession, call_id: str) -> datetime | None:
    """When the call's ranking was fixed (None: not yet)."""
    query = select(CallProgress.completed_at).where(CallProgress.call_id == call_id)
    return (await session.execute(query)).scalar_one_or_none()


async def stored_ranking(session: AsyncSession, call_id: str) -> list[dict[str, Any]]:
    query = select(CallProgress.ranking).where(CallProgress.call_id == call_id)
    return list((await session.execute(query)).scalar_one_or_none() or [])


async def get_round(session: AsyncSession, call_id: str, version: int) -> FundingRound | None:
    return await session.get(FundingRound, (call_id, version))


async def round_decided_at(session: AsyncSession, call_id: str, version: int) -> datetime | None:
    """When a stored round was decided, without reading its payload."""
    query = select(FundingRound.decided_at).where(FundingRound.call_id == call_id, FundingRound.version == version)
    return (await session.execute(query)).scalar_one_or_none()


async def declines_of_call(session: AsyncSession, call_id: str) -> list[FundingDecline]:
    query = select(FundingDecline).where(FundingDecline.call_id == call_id)
    return list((await session.execute(query.order_by(FundingDecline.declined_at))).scalars())


async def confirmations_of_call(session: AsyncSession, call_id: str) -> dict[str, RegionConfirmation]:
    query = select(RegionConfirmation).where(RegionConfirmation.call_id == call_id)
    return {c.region_code: c for c in (await session.execute(query)).scalars()}


async def withdrawn_proposal_ids(session: AsyncSession, call_id: str) -> set[str]:
    query = select(EvaluationEntry.proposal_id).where(
        EvaluationEntry.call_id == call_id, EvaluationEntry.withdrawn_at.is_not(None)
    )
    return set((await session.execute(query)).scalars())


# --- two-stage calls -------------------------------------------------------------------------------


async def fit_of_call(session: AsyncSession, call_id: str) -> list[RegionFit]:
    query = select(RegionFit).where(RegionFit.call_id == call_id).order_by(RegionFit.proposal_id, RegionFit.region_code)
    return list((await session.execute(query)).scalars())


async def shortlist_decision(session: AsyncSession, call_id: str) -> ShortlistDecision | None:
    return await session.get(ShortlistDecision, call_id)


async def submitted_assessments_of_call(session: AsyncSession, call_id: str) -> list[Assessment]:
    """Every submitted (locked) assessment of a call, by proposal then evaluator."""
    query = (
        select(Assessment)
        .where(Assessment.call_id == call_id, Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(Assessment.proposal_id, Assessment.evaluator_id)
    )
    return list((await session.execute(query)).scalars())
