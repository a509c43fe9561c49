"""A document upload's body as a stream of bytes: the raw body, or the `file` part of a multipart form
parsed as it arrives (python-multipart's push parser), so a file is never whole in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import MultipartBodyInvalid
from ..use_cases.upload_document import Upload


def upload_of(request: Request, name: str | None) -> Upload:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise MultipartBodyInvalid("A multipart body needs its boundary in Content-Type.")
        upload = Upload(chunks=_never())
        upload.chunks = _file_part(request, boundary, upload, name)
        return upload
    _, disposition = parse_options_header(request.headers.get("content-disposition", ""))
    given = name or (disposition[b"filename"].decode("utf-8", "replace") if b"filename" in disposition else None)
    return Upload(
        chunks=request.stream(), name=given, declared_size=int(declared) if declared and declared.isdigit() else None
    )


async def _never() -> AsyncIterator[bytes]:
    return
    yield b""


class _Parts:
    """What the push parser has seen so far of the parts' headers, and the file part's data not yet passed on."""

    def __init__(self, upload: Upload, name: str | None) -> None:
        self.upload, self.name = upload, name
        self.field, self.value = b"", b""
        self.headers: dict[bytes, bytes] = {}
        self.in_file = self.found = False
        self.pending: list[bytes] = []

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.field.lower()] = self.value
        self.field, self.value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.in_file = options.get(b"name") == b"file" and not self.found
        if self.in_file:
            self.found = True
            if self.name is None and b"filename" in options:
                self.upload.name = options[b"filename"].decode("utf-8", "replace")
        self.headers.clear()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])

    def on_part_end(self) -> None:
        self.in_file = False

    def taken(self) -> list[bytes]:
        pieces, self.pending = self.pending, []
        return pieces


async def _file_part(request: Request, boundary: bytes, upload: Upload, name: str | None) -> AsyncIterator[bytes]:
    """The bytes of the form's part named `file` (its filename becomes the upload's name, unless `name`)."""
    parts = _Parts(upload, name)
    callbacks = {
        event: getattr(parts, event)
        for event in (
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
            "on_part_data",
            "on_part_end",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    async for chunk in request.stream():
        try:
            parser.write(chunk)
        except Exception as exc:  # python-multipart's parse errors
            raise MultipartBodyInvalid(f"The multipart body cannot be parsed: {exc}.") from exc
        for piece in parts.taken():
            yield piece
    parser.finalize()
    for piece in parts.taken():
        yield piece
    if not parts.found:
        raise MultipartBodyInvalid("The multipart body has no part named 'file'.")
