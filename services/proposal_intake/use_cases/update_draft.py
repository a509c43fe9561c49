"""A consortium replaces its draft; concurrent edits are safe (If-Match, 412 when stale)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import PreconditionFailed, PreconditionRequired
from shared.http.principal import Principal
from shared.proposals import ProposalDraft
from shared.service import Runtime

from ..access import proposal_for, refuse_if_withdrawn
from ..drafts import etag
from ..models import Proposal


async def update_draft(
    session: AsyncSession,
    runtime: Runtime,
    consortium: Principal,
    proposal_id: str,
    draft: ProposalDraft,
    if_match: str | None,
) -> tuple[Proposal, ProposalDraft]:
    proposal = await proposal_for(session, consortium, proposal_id, for_update=True)
    if if_match is None:
        raise PreconditionRequired(
            f"Send If-Match: {etag(proposal)} so that no one else's edit is overwritten.",
            extra={"etag": etag(proposal)},
        )
    if if_match != etag(proposal):
        raise PreconditionFailed(
            f"The draft changed since you read it (now {etag(proposal)}); read it again.",
            extra={"etag": etag(proposal)},
        )
    refuse_if_withdrawn(proposal.status)
    keyed = draft.with_partner_keys()
    proposal.draft = keyed.model_dump(mode="json")
    proposal.acronym = keyed.acronym
    proposal.draft_revision += 1
    proposal.updated_at = runtime.clock.now()
    await session.flush()
    return proposal, keyed
