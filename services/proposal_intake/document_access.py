"""Who reads which document of a proposal (the rules the document use cases share).

- the consortium: its own draft's documents and those of each of its versions;
- an agency: every document, draft or version;
- a region's officers: in the latest submitted version, their own partners' documents and the proposal-level
  ones marked readable by regions, if the region has partners in it;
- an evaluator: with a grant from joint_evaluation (shared.document_grants), the documents marked readable by
  evaluators of the version the grant names.
Anyone else, and anything outside these, is 404 as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from shared.calls import CallConfiguration
from shared.document_grants import grant_key, verify_grant
from shared.errors import NotFound
from shared.http.principal import Principal, Role
from shared.service import Runtime

from .access import applicant_of
from .call_cache import CallCache
from .document_repository import documents_of, region_partner_keys
from .domain.documents import LinkedDocument, evaluator_may_read, region_may_read
from .repository import AnyRow, proposal_with_call
from .settings import Settings


@dataclass(frozen=True)
class Readable:
    """The documents a principal may read of a proposal's draft (version None) or of one version."""

    proposal_id: str
    call_id: str
    version: int | None
    documents: list[LinkedDocument]
    owner: bool


def is_owner(principal: Principal, proposal: AnyRow) -> bool:
    return principal.role is Role.CONSORTIUM and proposal.applicant_id == applicant_of(principal)


def hidden(proposal_id: str) -> NotFound:
    return NotFound(f"No proposal {proposal_id}.")


async def readable_documents(
    session: AsyncSession,
    runtime: Runtime,
    calls: CallCache,
    principal: Principal,
    proposal_id: str,
    *,
    version: int | None = None,
    grant: str | None = None,
) -> Readable:
    """version None: the draft for its consortium and agencies, the version that counts for the others."""
    if principal.role is Role.EVALUATOR:  # the grant first: without one, nothing is revealed, not even existence
        settings = runtime.settings
        assert isinstance(settings, Settings)
        key = grant_key(settings.document_grant_secret, settings.jwt_secret, settings.jwt_algorithm)
        granted = verify_grant(key, grant, evaluator_id=principal.scope or "", proposal_id=proposal_id)
        if version is not None and version != granted.version:
            raise hidden(proposal_id)
        version = granted.version
    proposal = await proposal_with_call(session, proposal_id)
    if proposal is None:
        raise hidden(proposal_id)
    owner = is_owner(principal, proposal)
    if owner or principal.role is Role.AGENCY:
        if version is not None and not 1 <= version <= proposal.current_version:
            raise NotFound(f"Proposal {proposal_id} has no version {version}.")
        return Readable(
            proposal_id, proposal.call_id, version, await documents_of(session, proposal_id, version), owner
        )
    if principal.role is Role.CONSORTIUM or proposal.current_version == 0:
        raise hidden(proposal_id)
    config = calls.known(proposal.call_snapshot, proposal.call_id).config
    if principal.role is Role.REGION:
        if version not in (None, proposal.current_version):
            raise hidden(proposal_id)
        keys = await region_partner_keys(session, proposal_id, principal.scope or "")
        if not keys:
            raise hidden(proposal_id)
        documents = await documents_of(session, proposal_id, proposal.current_version)
        chosen = [d for d in documents if region_may_read(config.document_type(d.type_key), d.partner_key, keys)]
        return Readable(proposal_id, proposal.call_id, proposal.current_version, chosen, False)
    assert version is not None  # an evaluator's: from the grant
    if version > proposal.current_version:
        raise hidden(proposal_id)
    documents = await documents_of(session, proposal_id, version)
    return Readable(proposal_id, proposal.call_id, version, [d for d in documents if _for_evaluators(config, d)], False)


def _for_evaluators(config: CallConfiguration, document: LinkedDocument) -> bool:
    return evaluator_may_read(config.document_type(document.type_key))
