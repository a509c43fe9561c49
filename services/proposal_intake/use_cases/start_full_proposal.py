"""An invited consortium starts its full proposal: a stage-2 draft pre-filled from its pre-proposal's last
submitted version and bound to it (one full proposal per pre-proposal)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import audit_row
from shared.errors import DeadlinePassed
from shared.http.principal import Principal
from shared.proposals import ProposalDraft
from shared.service import Runtime

from ..access import refuse_if_withdrawn, visible_proposal
from ..call_cache import CallCache
from ..domain.lifecycle import ProposalStatus
from ..domain.stages import is_two_stage
from ..errors import FullProposalExists, NotAPreProposal
from ..models import Proposal
from ..repository import full_proposal_of, insert_proposal, latest_content, proposal_with_call, record_audit
from ..stage_checks import require_invitation


async def start_full_proposal(
    session: AsyncSession, runtime: Runtime, calls: CallCache, consortium: Principal, pre_proposal_id: str
) -> tuple[Proposal, ProposalDraft]:
    """The new stage-2 draft and its content; refused unless the pre-proposal was invited and stage 2 is open."""
    pre = visible_proposal(await proposal_with_call(session, pre_proposal_id), consortium, pre_proposal_id)
    refuse_if_withdrawn(pre.status)
    config = calls.known(pre.call_snapshot, pre.call_id).config
    if not is_two_stage(config) or pre.stage != 1:
        raise NotAPreProposal(
            "Only a pre-proposal of a two-stage call has a full proposal.", extra={"stage": pre.stage}
        )
    await require_invitation(session, pre.id)
    existing = await full_proposal_of(session, pre.id)
    if existing is not None:
        raise FullProposalExists(
            f"The full proposal of this pre-proposal is {existing}.", extra={"proposal_id": existing}
        )
    now = runtime.clock.now()
    if now >= config.deadline:
        raise DeadlinePassed(
            f"The full-proposal deadline was {config.deadline.isoformat()}.", extra={"server_time": now.isoformat()}
        )
    draft = ProposalDraft.model_validate(await latest_content(session, pre.id) or {})
    values = {
        "id": str(uuid.uuid4()),
        "call_id": pre.call_id,
        "applicant_id": pre.applicant_id,
        "status": ProposalStatus.DRAFT,
        "draft": draft.model_dump(mode="json"),
        "draft_revision": 1,
        "current_version": 0,
        "acronym": draft.acronym,
        "created_at": now,
        "updated_at": now,
        "withdrawn_at": None,
        "stage": 2,
        "pre_proposal_id": pre.id,
    }
    await insert_proposal(session, values)
    audit = audit_row(
        clock=runtime.clock,
        actor=consortium.label,
        action="proposal.full_proposal_started",
        entity="proposal",
        entity_id=values["id"],
        call_id=pre.call_id,
        after={"pre_proposal_id": pre.id},
    )
    await record_audit(session, audit)
    return Proposal(**values), draft
