"""The call's document types: the checks that relate them to the rest of the call, and their amendment.

Pure functions; every problem is reported at once, each at its field (documents.<index>.<field>).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from shared.calls import CallConfiguration
from shared.document_types import DocumentType
from shared.errors import FieldError

from .lifecycle import CLOCK_DRIVEN, CallStatus


def document_errors(config: CallConfiguration) -> Iterator[FieldError]:
    participating = {region.code for region in config.regions}
    keys = [kind.key for kind in config.documents]
    for index, kind in enumerate(config.documents):
        field = f"documents.{index}"
        if keys.index(kind.key) != index:
            yield FieldError(f"{field}.key", f"document type {kind.key} is defined twice")
        if len(set(kind.media_types)) < len(kind.media_types):
            yield FieldError(f"{field}.media_types", "a media type is listed twice")
        if kind.max_pages is not None and "application/pdf" not in kind.media_types:
            yield FieldError(f"{field}.max_pages", "a page limit needs PDFs among the media types")
        if len(set(kind.readable_by)) < len(kind.readable_by):
            yield FieldError(f"{field}.readable_by", "a reader is listed twice")
        yield from _region_filter(kind, field, participating)


def _region_filter(kind: DocumentType, field: str, participating: set[str]) -> Iterator[FieldError]:
    if kind.regions is None:
        return
    if kind.per != "partner":
        yield FieldError(f"{field}.regions", "only a per-partner document can be asked of some regions' partners")
    if not kind.regions:
        yield FieldError(f"{field}.regions", "name at least one region, or leave the filter out")
    unknown = sorted(set(kind.regions) - participating)
    if unknown:
        yield FieldError(f"{field}.regions", f"not regions of the call: {', '.join(unknown)}")
    if len(set(kind.regions)) < len(kind.regions):
        yield FieldError(f"{field}.regions", "a region is listed twice")


def change_document_types(
    config: CallConfiguration, status: CallStatus, documents: list[DocumentType], now: datetime
) -> tuple[CallConfiguration, list[FieldError]]:
    """The call with its document types replaced, while submissions are still possible: after the final
    deadline the submitted versions were judged against the types they were submitted under."""
    if status not in CLOCK_DRIVEN or now >= config.deadline:
        return config, [FieldError("kind", "the final deadline has passed: the document types can no longer change")]
    return config.model_copy(update={"documents": documents}), []
