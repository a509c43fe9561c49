"""The errors of proposal_intake a consortium can act on, one per condition, each with its own problem type; and
which operation may answer which (its OpenAPI responses)."""

from __future__ import annotations

from typing import Any

from shared.document_grants import GrantRefused
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


class StageOneDeadlinePassed(
    DeadlinePassed,
    slug="stage-1-deadline-passed",
    title="The pre-proposal deadline has passed",
    fields=("server_time",),
):
    """The pre-proposal window closed: stage 1 takes nothing more (invited consortia go on in stage 2)."""


class NotInvited(Forbidden, slug="not-invited-to-stage-2", title="Only invited consortia submit a full proposal"):
    """Stage 2 is for the consortia invited after stage 1; the problem carries why this one was not."""


class FullProposalExists(
    Conflict, slug="full-proposal-exists", title="This pre-proposal already has its full proposal"
): ...


class ProposalWithdrawn(Conflict, slug="proposal-withdrawn", title="The proposal was withdrawn"):
    """A withdrawn proposal is final: nothing more is drafted, uploaded or submitted in it."""


class NotAPreProposal(
    Conflict,
    slug="not-a-pre-proposal",
    title="Only a pre-proposal of a two-stage call has a full proposal",
    fields=("stage",),
):
    """Only the pre-proposal (stage 1) of a two-stage call has a full proposal."""


class IdempotencyKeyOfAnotherProposal(
    Conflict, slug="idempotency-key-of-another-proposal", title="The Idempotency-Key was used for another proposal"
):
    """The consortium used this Idempotency-Key to submit another of its proposals: use a new key."""


class MultipartBodyInvalid(BadRequest, slug="multipart-body-invalid", title="The multipart body cannot be read"):
    """A multipart upload without a boundary, that does not parse, or without its `file` part."""


class DocumentRefused(ServiceError, status=422, fields=("document_type", "partner")):
    """Base of the upload refusals: each names the document type (and partner) it was for."""

    def __init__(self, detail: str, *, document_type: str, partner: str | None = None, **extra: Any) -> None:
        super().__init__(detail, extra={"document_type": document_type, "partner": partner, **extra})


class UnknownDocumentType(
    DocumentRefused, status=404, slug="unknown-document-type", title="The call asks for no document of this type"
): ...


class WrongPartnerForDocument(
    DocumentRefused, slug="document-partner-mismatch", title="This document type is not for this partner (or needs one)"
): ...


class DocumentTooLarge(
    DocumentRefused, status=413, slug="document-too-large", title="The document is larger than its type allows"
): ...


class DocumentMediaTypeRefused(
    DocumentRefused,
    status=415,
    slug="document-media-type",
    title="The document's content is not of a media type its type allows",
): ...


class DocumentUnreadable(DocumentRefused, slug="document-unreadable", title="The PDF cannot be opened"): ...


class DocumentEncrypted(DocumentRefused, slug="document-encrypted", title="The PDF is encrypted"): ...


class DocumentTooManyPages(
    DocumentRefused, slug="document-too-many-pages", title="The PDF has more pages than its type allows"
): ...


class RangeNotSatisfiable(
    ServiceError, status=416, slug="range-not-satisfiable", title="The requested range is not within the document"
): ...


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
        StageOneDeadlinePassed,
        FullProposalExists,
        DeadlinePassed,
        ProposalWithdrawn,
    ),
    "PUT /proposals/{proposal_id}/documents/{document_type}": (
        DeadlinePassed,
        ProposalWithdrawn,
        UnknownDocumentType,
        WrongPartnerForDocument,
        MultipartBodyInvalid,
        DocumentTooLarge,
        DocumentMediaTypeRefused,
        DocumentUnreadable,
        DocumentEncrypted,
        DocumentTooManyPages,
    ),
    "DELETE /proposals/{proposal_id}/documents/{document_type}": (DeadlinePassed, ProposalWithdrawn),
    "GET /calls/{call_id}/requirements": (NotYetKnown,),
    "GET /proposals/{proposal_id}/documents": (GrantRefused,),
    "GET /proposals/{proposal_id}/documents/{document_type}/content": (GrantRefused, RangeNotSatisfiable),
}
