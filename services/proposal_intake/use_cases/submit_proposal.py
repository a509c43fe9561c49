"""A consortium submits its draft: a new version, a receipt, proposal.submitted.

The server clock decides; completeness and the consortium rules are hard errors (all listed at
once); regional rule failures are warnings, since the official check belongs to each region.
A repeated request with the same Idempotency-Key gets the same receipt, never a second version; the same key
once the draft changed (another payload) is a 422, and after the proposal's withdrawal a 409: never the old
receipt for a draft that was not submitted.

Everything a submission writes (the version, the key's receipt, the proposal's new state, its partners
by region, the outbox event and the audit record) is in the caller's transaction, committed before the
answer. The statements are Core statements built once (see repository): a submission is a handful of
round trips and no ORM unit of work.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit_row
from shared.calls import CallConfiguration
from shared.canonical import sha256_hex
from shared.errors import (
    FieldError,
    IdempotencyKeyAfterWithdrawal,
    IdempotencyKeyReused,
    ValidationFailed,
)
from shared.events import ProposalSubmitted
from shared.http.principal import Principal
from shared.messaging.outbox import outbox_row, outgoing_envelope
from shared.proposals import ProposalDraft
from shared.service import Runtime
from shared.wording import count

from ..access import applicant_of, refuse_if_withdrawn, visible_proposal
from ..call_cache import CallCache, KnownCall
from ..document_repository import documents_of, freeze_documents
from ..domain.announcement import SubmittedVersion, submitted_event
from ..domain.completeness import completeness_errors
from ..domain.documents import LinkedDocument, missing_documents, receipt_content, submitted_documents
from ..domain.lifecycle import ProposalStatus
from ..domain.precheck import SubmissionVerdicts, precheck_draft, submission_verdicts, verdicts_key
from ..errors import IdempotencyKeyOfAnotherProposal
from ..repository import (
    AnyRow,
    SubmissionRows,
    earlier_receipt,
    lock_with_earlier_receipt,
    proposal_with_call,
    record_submission,
)
from ..stage_checks import StageView, refuse_outside_window, stage_view


@dataclass(frozen=True)
class Receipt:
    """What the consortium gets back: one stored version, identified and hashed."""

    proposal_id: str
    version: int
    submitted_at: datetime
    content_sha256: str
    warnings: list[str]


async def submit_proposal(
    session: AsyncSession,
    runtime: Runtime,
    calls: CallCache,
    consortium: Principal,
    proposal_id: str,
    idempotency_key: str | None,
) -> Receipt:
    # Locks the proposal row: concurrent submissions of one proposal queue here.
    if idempotency_key:
        locked = await lock_with_earlier_receipt(session, proposal_id, applicant_of(consortium), idempotency_key)
    else:
        locked = await proposal_with_call(session, proposal_id, for_update=True)
    proposal = visible_proposal(locked, consortium, proposal_id)
    if idempotency_key:
        earlier = await _earlier_receipt(session, consortium, proposal, idempotency_key)
        if earlier is not None:
            await _refuse_replay_of_another_draft(session, calls, proposal, earlier, idempotency_key)
            return earlier
    refuse_if_withdrawn(proposal.status, ProposalStatus.SUBMITTED)
    known = calls.known(proposal.call_snapshot, proposal.call_id)
    call, config = known.snapshot, known.config
    now = runtime.clock.now()
    await refuse_outside_window(session, proposal, call, config, now)
    draft = calls.draft(proposal.draft)
    stage = await stage_view(session, proposal, config)
    verdicts = _verdicts(calls, known, proposal, draft)
    linked = await documents_of(session, proposal.id) if config.documents else []
    documents = submitted_documents(draft, config, linked)
    _refuse_incomplete(draft, config, verdicts, stage, documents)
    content = receipt_content(draft.model_dump(mode="json"), documents)
    receipt = Receipt(
        proposal_id=proposal.id,
        version=proposal.current_version + 1,
        submitted_at=now,
        content_sha256=sha256_hex(content),
        warnings=verdicts.warnings,
    )
    envelope = outgoing_envelope(
        _submitted_event(proposal, draft, receipt, config),
        source=runtime.name,
        subject=proposal.id,
        clock=runtime.clock,
    )
    rows = SubmissionRows(
        version={
            "proposal_id": receipt.proposal_id,
            "version": receipt.version,
            "content": content,
            "content_sha256": receipt.content_sha256,
            "warnings": receipt.warnings,
            "submitted_at": now,
            "submitted_by": consortium.label,
        },
        idempotent={
            "applicant_id": applicant_of(consortium),
            "key": idempotency_key,
            "proposal_id": receipt.proposal_id,
            "version": receipt.version,
            "created_at": now,
        }
        if idempotency_key
        else None,
        region_partners=_region_rows(proposal, draft, content, receipt.version),
        had_region_partners=proposal.current_version != 0,  # never submitted before: no rows to delete
        event=outbox_row(envelope),
        audit=audit_row(
            clock=runtime.clock,
            actor=consortium.actor,
            action="proposal.submitted",
            entity="proposal",
            entity_id=proposal.id,
            call_id=proposal.call_id,
            after={"version": receipt.version, "sha256": receipt.content_sha256},
        ),
    )
    await record_submission(session, rows)
    if documents:
        await freeze_documents(session, proposal.id, receipt.version, documents, now)
    return receipt


async def _earlier_receipt(session: AsyncSession, consortium: Principal, proposal: AnyRow, key: str) -> Receipt | None:
    """The receipt of the key's earlier submission, if any: from the locking statement's lookup when that is
    current, else read again now that the lock is held (see repository.lock_with_earlier_receipt)."""
    stored: Sequence[Any] | None
    if proposal.earlier_fresh:
        stored = _EARLIER_COLUMNS(proposal) if proposal.earlier_proposal_id is not None else None
    else:
        stored = await earlier_receipt(session, applicant_of(consortium), key)
    if stored is None:
        return None
    proposal_id, version, submitted_at, content_sha256, warnings = stored
    if proposal_id != proposal.id:
        raise IdempotencyKeyOfAnotherProposal(f"Idempotency-Key {key!r} was already used for another proposal.")
    if version is None:
        return None
    return Receipt(
        proposal_id=proposal_id,
        version=version,
        submitted_at=submitted_at,
        content_sha256=content_sha256,
        warnings=warnings,
    )


async def _refuse_replay_of_another_draft(
    session: AsyncSession, calls: CallCache, proposal: AnyRow, earlier: Receipt, key: str
) -> None:
    """A replay answers the earlier receipt only for the very draft it receipted: after a withdrawal it is a
    conflict, and once the draft changed (its canonical content no longer the receipted one's) the key was
    reused for another payload."""
    if proposal.status == ProposalStatus.WITHDRAWN:
        raise IdempotencyKeyAfterWithdrawal(
            f"Idempotency-Key {key!r} submitted version {earlier.version}, but the proposal was withdrawn since."
        )
    if await _current_content_sha256(session, calls, proposal) != earlier.content_sha256:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} submitted version {earlier.version}, and the draft changed since: "
            "submit the changed draft with a new key.",
            extra={"version": earlier.version, "content_sha256": earlier.content_sha256},
        )


async def _current_content_sha256(session: AsyncSession, calls: CallCache, proposal: AnyRow) -> str:
    """The hash a submission of the draft would get now: its content and its documents, as the receipt hashes them."""
    config = calls.known(proposal.call_snapshot, proposal.call_id).config
    draft = calls.draft(proposal.draft)
    linked = await documents_of(session, proposal.id) if config.documents else []
    return sha256_hex(receipt_content(draft.model_dump(mode="json"), submitted_documents(draft, config, linked)))


# The locking statement's columns of the key's submission, in earlier_receipt's order.
_EARLIER_COLUMNS = attrgetter(
    "earlier_proposal_id", "earlier_version", "earlier_submitted_at", "earlier_content_sha256", "earlier_warnings"
)


def _verdicts(calls: CallCache, known: KnownCall, proposal: AnyRow, draft: ProposalDraft) -> SubmissionVerdicts:
    """The hard consortium errors and regional warnings: as the last pre-check found them, if it judged this
    very draft under this very call with the same code (the usual way: pre-check, then submit); else now."""
    if proposal.verdicts_key == verdicts_key(proposal.draft_revision, proposal.call_revision, calls.engine_digest):
        return SubmissionVerdicts.from_json(json.loads(proposal.verdicts))
    return submission_verdicts(precheck_draft(draft, known.config, known.rules))


def _refuse_incomplete(
    draft: ProposalDraft,
    config: CallConfiguration,
    verdicts: SubmissionVerdicts,
    stage: StageView,
    documents: list[LinkedDocument],
) -> None:
    errors = stage.gaps(completeness_errors(draft, config) + missing_documents(draft, config, documents), config)
    errors += [FieldError(field, message) for field, message in stage.failures(verdicts.failures, config)]
    errors += stage.problems(draft, config)
    if errors:
        raise ValidationFailed(
            f"The proposal cannot be submitted yet ({count(len(errors), 'problem')}).", errors=errors
        )


def _region_rows(proposal: AnyRow, draft: ProposalDraft, content: dict[str, Any], version: int) -> list[dict[str, Any]]:
    """The RegionPartner rows of this version (column values: inserted in bulk, no ORM objects needed); each
    partner as in the version's content (the draft's JSON dump: the partner's own dump, made once)."""
    return [
        {
            "proposal_id": proposal.id,
            "partner_key": p.key or "",
            "call_id": proposal.call_id,
            "region_code": p.region_code or "",
            "version": version,
            "partner": dumped,
            "acronym": draft.acronym or "",
        }
        for p, dumped in zip(draft.partners, content["partners"], strict=True)
    ]


def _submitted_event(
    proposal: AnyRow, draft: ProposalDraft, receipt: Receipt, config: CallConfiguration
) -> ProposalSubmitted:
    submitted = SubmittedVersion(
        proposal_id=uuid.UUID(proposal.id),
        call_id=uuid.UUID(proposal.call_id),
        applicant_id=proposal.applicant_id,
        version=receipt.version,
        submitted_at=receipt.submitted_at,
        content_sha256=receipt.content_sha256,
        warnings=receipt.warnings,
    )
    event = submitted_event(submitted, draft, config)
    if proposal.stage == 2:
        return event.model_copy(update={"stage": 2, "pre_proposal_id": uuid.UUID(proposal.pre_proposal_id)})
    return event
