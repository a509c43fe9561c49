"""Builders for the document tests: PDFs made with pypdf, a call with the Alpine example's document types."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from services.call_definition.examples import alpine_call
from shared.calls import CallConfiguration
from shared.clock import MovableClock
from shared.document_types import DocumentType
from shared.events import CallSnapshot
from tests.helpers import published_call


def pdf(pages: int = 1, *, text: str = "jointcall", password: str | None = None) -> bytes:
    """A PDF of `pages` pages, each showing `text` (so two PDFs of different text differ in their bytes)."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for number in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        content = DecodedStreamObject()
        escaped = f"{text} - page {number + 1}".replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content.set_data(f"BT /F1 12 Tf 72 770 Td ({escaped}) Tj ET".encode("latin-1", "replace"))
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
    if password is not None:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def document_types(**changes: dict[str, object]) -> list[DocumentType]:
    """The Alpine example's document types, some of them changed (by key)."""
    kinds = [DocumentType.model_validate(kind) for kind in alpine_call(documents=True)["documents"]]
    return [kind.model_copy(update=changes.get(kind.key, {})) for kind in kinds]


def call_with_documents(clock: MovableClock, documents: list[DocumentType] | None = None) -> CallSnapshot:
    call = published_call(clock)
    assert call.configuration is not None
    config: CallConfiguration = call.configuration.model_copy(update={"documents": documents or document_types()})
    return call.model_copy(update={"configuration": config})
