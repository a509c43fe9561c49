"""The live pre-check of a draft (its owner or an agency): every rule, what is missing, and whether it may be
submitted now. The first pre-check of a draft revision under a call revision keeps what the rules found, so a
submission of that very draft need not judge it again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import FieldError
from shared.http.principal import Principal
from shared.rules.precheck import PrecheckReport
from shared.service import Runtime

from ..access import visible_proposal
from ..call_cache import CallCache
from ..document_repository import documents_of
from ..domain.completeness import completeness_errors
from ..domain.documents import missing_documents
from ..domain.lifecycle import ProposalStatus, can_move
from ..domain.precheck import SubmissionVerdicts, precheck_draft, submission_verdicts, verdicts_key
from ..domain.requirements import SubmissionRequirements
from ..domain.submission import submission_window_error
from ..repository import proposal_with_call, remember_verdicts
from ..stage_checks import StageView, stage_view


@dataclass(frozen=True)
class Precheck:
    missing: list[FieldError]
    problems: list[FieldError]
    blockers: list[FieldError]
    report: PrecheckReport | None
    verdicts: SubmissionVerdicts
    requirements: SubmissionRequirements
    stage: StageView
    now: datetime


async def precheck_proposal(
    session: AsyncSession, runtime: Runtime, calls: CallCache, *, reader: Principal, proposal_id: str
) -> Precheck:
    found = await proposal_with_call(session, proposal_id)  # the proposal and its call together
    proposal = visible_proposal(found, reader, proposal_id)
    known = calls.known(proposal.call_snapshot, proposal.call_id)
    call, config = known.snapshot, known.config
    stage = await stage_view(session, proposal, config)  # reads only for a full proposal
    draft = calls.draft(proposal.draft)
    missing = completeness_errors(draft, config)
    if config.documents:  # the required documents the draft lacks, beside the other gaps
        missing += missing_documents(draft, config, await documents_of(session, proposal.id))
    missing = stage.gaps(missing, config)  # a pre-proposal: only what its stage-1 form requires
    problems = stage.problems(draft, config)
    report = precheck_draft(draft, config, known.rules)
    verdicts = submission_verdicts(report)
    key = verdicts_key(proposal.draft_revision, proposal.call_revision, calls.engine_digest)
    if proposal.verdicts_key != key:  # the first pre-check of this draft under this call: keep what it found
        await remember_verdicts(session, proposal.id, proposal.draft_revision, key, verdicts.as_json())
    now = runtime.clock.now()
    failures = stage.failures(verdicts.failures, config)
    blockers = [*missing, *(FieldError(field, message) for field, message in failures), *problems]
    window = submission_window_error(call, now)
    if window:
        blockers.append(FieldError("", window, location="call"))
    if not can_move(ProposalStatus(proposal.status), ProposalStatus.SUBMITTED):
        blockers.append(FieldError("status", "The proposal was withdrawn: it cannot be submitted again."))
    return Precheck(
        missing=missing,
        problems=problems,
        blockers=blockers,
        report=report,
        verdicts=verdicts,
        requirements=known.requirements(proposal.call_id),
        stage=stage,
        now=now,
    )
