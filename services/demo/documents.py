"""The documents of the demo's proposals: a generated narrative PDF (a few pages, made with pypdf) and each
partner's letter of commitment; one consortium first sends a narrative over the page limit, is refused, and
sends one within it. Evaluators read what they score with a grant from joint_evaluation."""

from __future__ import annotations

import hashlib
import io
import textwrap
from typing import Any

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from .api import DemoError, Headers, checked, is_problem
from .context import Run

INTAKE = "/proposal-intake"
EVALUATION = "/joint-evaluation"
LINES_PER_PAGE = 40


def make_pdf(pages: list[list[str]], *, password: str | None = None) -> bytes:
    """A PDF with one page per list of lines (Helvetica, A4), optionally encrypted."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for lines in pages:
        page = writer.add_blank_page(width=595, height=842)
        shown = " ".join(f"({_escaped(line)}) Tj T*" for line in lines)
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 11 Tf 14 TL 60 780 Td {shown} ET".encode("latin-1", "replace"))
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    if password is not None:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _escaped(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def narrative_pdf(draft: dict[str, Any], pages: int) -> bytes:
    """The proposal's narrative on `pages` pages: its title, abstract and a work plan per page."""
    acronym, title = draft.get("acronym") or "", draft.get("title") or ""
    abstract = textwrap.wrap(draft.get("abstract") or "", 85)
    partners = [p.get("organisation_name") or "" for p in draft.get("partners", [])]
    content = []
    for number in range(1, pages + 1):
        lines = [f"{acronym}: {title}", f"Narrative, page {number} of {pages}", ""]
        if number == 1:
            lines += ["Summary", *abstract, "", "Consortium", *(f"- {name}" for name in partners)]
        else:
            lines += [
                f"Work package {number - 1}",
                *textwrap.wrap(
                    f"Tasks and milestones of work package "
                    f"{number - 1} of {acronym}, carried out jointly by {', '.join(partners)}.",
                    85,
                ),
            ]
        content.append(lines[:LINES_PER_PAGE])
    return make_pdf(content)


def letter_pdf(draft: dict[str, Any], partner: dict[str, Any], kind: str) -> bytes:
    name = partner.get("organisation_name") or ""
    return make_pdf(
        [
            [
                f"{kind}",
                "",
                f"{name} ({partner.get('legal_id') or ''}, {partner.get('region_code') or ''})",
                f"commits to carrying out its part of {draft.get('acronym') or ''}: {draft.get('title') or ''}.",
                "",
                "Signed on behalf of the organisation.",
            ]
        ]
    )


async def attach(run: Run, draft: dict[str, Any], proposal_id: str, headers: Headers, *, first: bool) -> None:
    """Upload every required document of the call for `draft` (the one stored; none if the call asks for
    none); the `first` consortium first sends a narrative over the page limit and fixes it after the refusal."""
    partners = [{**p, "key": p.get("key") or f"p{n}"} for n, p in enumerate(draft["partners"], 1)]
    for kind in required_documents(run):
        path = f"{INTAKE}/proposals/{proposal_id}/documents/{kind['key']}"
        if kind.get("per", "proposal") == "proposal":
            limit = kind.get("max_pages") or 3
            if first and kind.get("max_pages"):
                await _refused_over_the_page_limit(run, path, headers, narrative_pdf(draft, limit + 2))
            await _upload(run, path, headers, narrative_pdf(draft, min(limit, 3)), f"{kind['key']}.pdf")
            continue
        for partner in partners:
            if kind.get("regions") is None or partner.get("region_code") in kind["regions"]:
                letter = letter_pdf(draft, partner, kind["name"])
                await _upload(run, path, headers, letter, f"{kind['key']}-{partner['key']}.pdf", partner["key"])


def required_documents(run: Run) -> list[dict[str, Any]]:
    """The call's document types a proposal of this stage must hold (a pre-proposal: those its stage-1 form
    names)."""
    kinds = [kind for kind in run.config.get("documents", []) if kind.get("required", True)]
    if run.stage_one:
        wanted = set(run.stage_rules.get("stage_one", {}).get("required_documents", []))
        kinds = [kind for kind in kinds if kind["key"] in wanted]
    return kinds


async def _upload(run: Run, path: str, headers: Headers, content: bytes, name: str, partner: str | None = None) -> None:
    params = {"name": name, **({"partner": partner} if partner else {})}
    sent = await run.client.put(
        path, params=params, content=content, headers={**headers, "Content-Type": "application/pdf"}
    )
    stored = checked(sent)
    if stored["sha256"] != hashlib.sha256(content).hexdigest():
        raise DemoError(f"{path}: proposal_intake stored other bytes than were sent")
    run.tally.documents_attached += 1


async def _refused_over_the_page_limit(run: Run, path: str, headers: Headers, content: bytes) -> None:
    refused = await run.client.put(path, content=content, headers={**headers, "Content-Type": "application/pdf"})
    if not is_problem(refused, 422) or not refused.json()["type"].endswith("/document-too-many-pages"):
        raise DemoError(f"{path}: a narrative over the page limit was not refused ({refused.status_code})")
    run.tally.refused_over_page_limit += 1


async def read_what_is_scored(run: Run, proposal_id: str, headers: Headers) -> None:
    """An evaluator asks joint_evaluation for a grant, lists the documents it opens at proposal_intake and
    downloads the proposal's own (the narrative it scores; the partners' letters it may open too), checking the
    bytes against the SHA-256 listed (the one the receipt covers)."""
    if not any("evaluators" in kind.get("readable_by", []) for kind in required_documents(run)):
        return
    grant = checked(await run.client.post(f"{EVALUATION}/proposals/{proposal_id}/document-grant", headers=headers))
    granted = {**headers, "X-Document-Grant": grant["grant"]}
    listed = checked(await run.client.get(f"{INTAKE}{grant['documents_path']}", headers=granted))
    for document in listed["documents"]:
        if document["partner"] is not None:
            continue
        path = f"{INTAKE}/proposals/{proposal_id}/documents/{document['document_type']}/content"
        downloaded = await run.client.get(path, headers=granted)
        if downloaded.status_code != 200 or hashlib.sha256(downloaded.content).hexdigest() != document["sha256"]:
            raise DemoError(f"{path}: the evaluator did not get the document that was submitted")
        run.tally.documents_read += 1
