"""A consortium starts a draft proposal for an open call (it may be incomplete)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import DeadlinePassed
from shared.http.principal import Principal
from shared.proposals import ProposalDraft
from shared.service import Runtime

from ..access import applicant_of, call_of
from ..call_cache import CallCache
from ..domain.lifecycle import ProposalStatus
from ..models import Proposal
from ..repository import insert_proposal
from ..stage_checks import refuse_new_pre_proposal


async def create_draft(
    session: AsyncSession, runtime: Runtime, calls: CallCache, consortium: Principal, call_id: str, draft: ProposalDraft
) -> tuple[Proposal, ProposalDraft]:
    """The new proposal, and its draft as stored (partner keys given), for the answer without parsing it again."""
    known = await call_of(session, calls, call_id)
    call, config = known.snapshot, known.config
    now = runtime.clock.now()
    if now >= config.deadline:
        raise DeadlinePassed(
            f"The call closed at {config.deadline.isoformat()}; no new proposals.",
            extra={"server_time": now.isoformat()},
        )
    refuse_new_pre_proposal(config, now)
    keyed = draft.with_partner_keys()
    values = {
        "id": str(uuid.uuid4()),
        "call_id": str(call.call_id),
        "applicant_id": applicant_of(consortium),
        "status": ProposalStatus.DRAFT,
        "draft": keyed.model_dump(mode="json"),
        "draft_revision": 1,
        "current_version": 0,
        "acronym": keyed.acronym,
        "created_at": now,
        "updated_at": now,
        "withdrawn_at": None,
        "stage": 1,
        "pre_proposal_id": None,
    }
    await insert_proposal(session, values)  # one Core INSERT, no unit of work
    proposal = Proposal(**values)  # the stored row, for the answer (not added to the session)
    return proposal, keyed
