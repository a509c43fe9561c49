"""Proposal documents: which a draft needs, what an upload must be, who may read one. Pure functions.

Every refusal of an upload is its own problem type naming the document type, so a client can tell a
consortium exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shared.calls import CallConfiguration
from shared.document_types import DocumentType
from shared.errors import FieldError
from shared.proposals import ProposalDraft

from ..errors import (
    DocumentMediaTypeRefused,
    DocumentTooLarge,
    DocumentTooManyPages,
    UnknownDocumentType,
    WrongPartnerForDocument,
)

PROPOSAL_LEVEL = ""  # the partner key of a proposal-level document

# Leading bytes of each media type a call may allow (the upload's Content-Type is never trusted).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),  # an empty archive
)
SNIFF_BYTES = 16


def sniff_media_type(head: bytes) -> str | None:
    """The media type the content's first bytes show, or None."""
    return next((media_type for signature, media_type in _SIGNATURES if head.startswith(signature)), None)


def document_type_for(config: CallConfiguration, key: str, partner: str | None, draft: ProposalDraft) -> DocumentType:
    """The call's type `key`, if a document of it may be linked for `partner` (None: the proposal)."""
    kind = config.document_type(key)
    if kind is None:
        raise UnknownDocumentType(f"The call asks for no document '{key}'.", document_type=key, partner=partner)
    if kind.per == "proposal":
        if partner is not None:
            raise WrongPartnerForDocument(
                f"'{kind.name}' is one document for the whole proposal: give no partner.",
                document_type=key,
                partner=partner,
            )
        return kind
    if partner is None:
        raise WrongPartnerForDocument(
            f"'{kind.name}' comes from each partner: name the partner (?partner=<key>).", document_type=key
        )
    found = next((p for p in draft.with_partner_keys().partners if p.key == partner), None)
    if found is None:
        raise WrongPartnerForDocument(
            f"The draft has no partner '{partner}' for '{kind.name}'.", document_type=key, partner=partner
        )
    if not kind.asked_of(found.region_code):
        regions = ", ".join(kind.regions or [])
        raise WrongPartnerForDocument(
            f"'{kind.name}' is only for partners of {regions}; partner '{partner}' is from {found.region_code}.",
            document_type=key,
            partner=partner,
        )
    return kind


def check_content(kind: DocumentType, partner: str | None, media_type: str | None) -> None:
    """Refuse content whose sniffed media type the type does not allow."""
    if media_type is None or media_type not in kind.media_types:
        shown = media_type or "not recognised"
        raise DocumentMediaTypeRefused(
            f"'{kind.name}' takes {', '.join(kind.media_types)}; the content is {shown}.",
            document_type=kind.key,
            partner=partner,
            allowed=list(kind.media_types),
        )


def too_large(kind: DocumentType, partner: str | None) -> DocumentTooLarge:
    return DocumentTooLarge(
        f"'{kind.name}' may have at most {kind.max_bytes} bytes.",
        document_type=kind.key,
        partner=partner,
        max_bytes=kind.max_bytes,
    )


def check_pages(kind: DocumentType, partner: str | None, pages: int) -> None:
    if kind.max_pages is not None and pages > kind.max_pages:
        raise DocumentTooManyPages(
            f"'{kind.name}' may have at most {kind.max_pages} pages; this PDF has {pages}.",
            document_type=kind.key,
            partner=partner,
            max_pages=kind.max_pages,
            pages=pages,
        )


@dataclass(frozen=True)
class LinkedDocument:
    """A document linked to a draft or a version: what the receipt and the lists show."""

    type_key: str
    partner_key: str  # PROPOSAL_LEVEL for a proposal-level document
    name: str
    media_type: str
    size: int
    pages: int | None
    sha256: str

    def receipt_entry(self) -> dict[str, Any]:
        """What the receipt's hash covers of a document (see README, "Proposals")."""
        return {"type": self.type_key, "partner": self.partner_key or None, "name": self.name, "sha256": self.sha256}


def expected_documents(draft: ProposalDraft, config: CallConfiguration) -> Iterator[tuple[DocumentType, str]]:
    """(type, partner key) of every document the draft may carry (PROPOSAL_LEVEL: the proposal's own)."""
    partners = draft.with_partner_keys().partners
    for kind in config.documents:
        if kind.per == "proposal":
            yield kind, PROPOSAL_LEVEL
            continue
        for partner in partners:
            if kind.asked_of(partner.region_code):
                yield kind, partner.key or ""


def missing_documents(
    draft: ProposalDraft, config: CallConfiguration, linked: Sequence[LinkedDocument]
) -> list[FieldError]:
    """Every required document the draft lacks, at documents.<type> or documents.<type>.<partner>."""
    present = {(d.type_key, d.partner_key) for d in linked}
    errors = []
    for kind, partner in expected_documents(draft, config):
        if kind.required and (kind.key, partner) not in present:
            field = f"documents.{kind.key}" + (f".{partner}" if partner else "")
            whose = f" from partner {partner}" if partner else ""
            errors.append(FieldError(field, f"'{kind.name}'{whose} is required for submission"))
    return errors


def submitted_documents(
    draft: ProposalDraft, config: CallConfiguration, linked: Sequence[LinkedDocument]
) -> list[LinkedDocument]:
    """The linked documents a submission takes: those the draft may carry now (a document of a partner since
    removed from the draft, or of a type the call no longer asks for, stays behind in the draft)."""
    expected = {(kind.key, partner) for kind, partner in expected_documents(draft, config)}
    return [d for d in linked if (d.type_key, d.partner_key) in expected]


def receipt_documents(linked: Sequence[LinkedDocument]) -> list[dict[str, Any]]:
    """The documents as the receipt's canonical content lists them: sorted by type, then partner."""
    return [d.receipt_entry() for d in sorted(linked, key=lambda d: (d.type_key, d.partner_key))]


def receipt_content(draft_content: dict[str, Any], linked: Sequence[LinkedDocument]) -> dict[str, Any]:
    """What a receipt hashes: the draft's content, and its documents (the key only when there are any, so
    the hash of a proposal without documents is what it always was)."""
    if not linked:
        return draft_content
    return {**draft_content, "documents": receipt_documents(linked)}


def region_may_read(kind: DocumentType | None, partner_key: str, region_partner_keys: set[str]) -> bool:
    """A region reads its own partners' documents, and the proposal-level ones marked for regions, of a proposal
    in which it has partners (`region_partner_keys`: the keys of its partners in the version read)."""
    if not region_partner_keys:
        return False
    if partner_key != PROPOSAL_LEVEL:
        return partner_key in region_partner_keys
    return kind is not None and "regions" in kind.readable_by


def evaluator_may_read(kind: DocumentType | None) -> bool:
    return kind is not None and "evaluators" in kind.readable_by
