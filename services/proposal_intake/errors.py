"""The errors of proposal_intake a consortium can act on, one per condition, each with its own problem type; and
which operation may answer which (its OpenAPI responses). The refusals of a document's content are in
domain/documents.py, beside the checks that raise them."""

from __future__ import annotations

from shared.errors import (
    BadRequest,
    Conflict,
    DeadlinePassed,
    Forbidden,
    IdempotencyKeyAfterWithdrawal,
    IdempotencyKeyReused,
    NotYetKnown,
    PreconditionFailed,
    PreconditionRequired,
    ServiceError,
)

from .domain.documents import (
    DocumentEncrypted,
    DocumentMediaTypeRefused,
    DocumentTooLarge,
    DocumentTooManyPages,
    DocumentUnreadable,
    UnknownDocumentType,
    WrongPartnerForDocument,
)


class StageOneDeadlinePassed(DeadlinePassed):
    """The pre-proposal window closed: stage 1 takes nothing more (invited consortia go on in stage 2)."""

    slug = "stage-1-deadline-passed"
    title = "The pre-proposal deadline has passed"
    fields = ("server_time",)


class NotInvited(Forbidden):
    """Stage 2 is for the consortia invited after stage 1; the problem carries why this one was not."""

    slug = "not-invited-to-stage-2"
    title = "Only invited consortia submit a full proposal"


class FullProposalExists(Conflict):
    slug = "full-proposal-exists"
    title = "This pre-proposal already has its full proposal"


class ProposalWithdrawn(Conflict):
    """A withdrawn proposal is final: nothing more is drafted, uploaded or submitted in it."""

    slug = "proposal-withdrawn"
    title = "The proposal was withdrawn"


class NotAPreProposal(Conflict):
    """Only the pre-proposal (stage 1) of a two-stage call has a full proposal."""

    slug = "not-a-pre-proposal"
    title = "Only a pre-proposal of a two-stage call has a full proposal"
    fields = ("stage",)


class IdempotencyKeyOfAnotherProposal(Conflict):
    """The consortium used this Idempotency-Key to submit another of its proposals: use a new key."""

    slug = "idempotency-key-of-another-proposal"
    title = "The Idempotency-Key was used for another proposal"


class MultipartBodyInvalid(BadRequest):
    """A multipart upload without a boundary, that does not parse, or without its `file` part."""

    slug = "multipart-body-invalid"
    title = "The multipart body cannot be read"


_DOCUMENT = (
    DeadlinePassed,
    ProposalWithdrawn,
    UnknownDocumentType,
    WrongPartnerForDocument,
)
ROUTE_PROBLEMS: dict[str, tuple[type[ServiceError], ...]] = {
    "POST /calls/{call_id}/proposals": (DeadlinePassed, StageOneDeadlinePassed, NotYetKnown),
    "PUT /proposals/{proposal_id}": (PreconditionRequired, PreconditionFailed, ProposalWithdrawn),
    "POST /proposals/{proposal_id}/submit": (
        DeadlinePassed,
        StageOneDeadlinePassed,
        NotInvited,
        ProposalWithdrawn,
        IdempotencyKeyReused,
        IdempotencyKeyAfterWithdrawal,
        IdempotencyKeyOfAnotherProposal,
    ),
    "POST /proposals/{proposal_id}/withdraw": (ProposalWithdrawn,),
    "POST /proposals/{proposal_id}/full-proposal": (
        NotAPreProposal,
        NotInvited,
        FullProposalExists,
        DeadlinePassed,
        ProposalWithdrawn,
    ),
    "PUT /proposals/{proposal_id}/documents/{document_type}": (
        *_DOCUMENT,
        MultipartBodyInvalid,
        DocumentTooLarge,
        DocumentMediaTypeRefused,
        DocumentUnreadable,
        DocumentEncrypted,
        DocumentTooManyPages,
    ),
    "DELETE /proposals/{proposal_id}/documents/{document_type}": _DOCUMENT,
}
