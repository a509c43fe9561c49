"""Proposal documents through proposal_intake's HTTP API, on SQLite (files) and PostgreSQL (chunk rows)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.proposal_intake.document_tables import DocumentBlob, DraftDocument, VersionDocument
from services.proposal_intake.models import audit_log
from services.proposal_intake.use_cases.collect_orphans import collect_orphans
from shared.canonical import sha256_hex
from shared.clock import MovableClock
from shared.document_grants import grant_key, issue_grant
from shared.events import CallSnapshot
from shared.settings import DEV_JWT_SECRET
from tests.api.test_proposal_intake_api import deliver
from tests.conftest import ServiceClient
from tests.documents_helpers import PNG, call_with_documents, document_types, pdf
from tests.helpers import bearer, call_published_envelope, partner, proposal_body

CONSORTIUM = bearer("consortium:acme")
OTHER = bearer("consortium:rival")
AGENCY = bearer("agency")
NARRATIVE = pdf(4, text="narrative")
LETTER_1 = pdf(1, text="letter of Alpha GmbH")
LETTER_2 = pdf(1, text="letter of Universite de Fribourg")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def started(
    service_client: ServiceClient, clock: MovableClock, call: CallSnapshot | None = None, body: Any = None
) -> tuple[httpx.AsyncClient, FastAPI, str]:
    client, app = await service_client("proposal_intake")
    call = call or call_with_documents(clock)
    await deliver(app, call_published_envelope(call, clock))
    created = await client.post(f"/calls/{call.call_id}/proposals", json=body or proposal_body(), headers=CONSORTIUM)
    assert created.status_code == 201, created.text
    return client, app, created.json()["id"]


async def upload(
    client: httpx.AsyncClient,
    proposal: str,
    kind: str,
    content: bytes,
    *,
    partner: str | None = None,
    token: dict[str, str] = CONSORTIUM,
    name: str | None = None,
    content_type: str = "application/pdf",
) -> httpx.Response:
    params = {k: v for k, v in (("partner", partner), ("name", name)) if v}
    headers = {**token, "Content-Type": content_type}
    return await client.put(f"/proposals/{proposal}/documents/{kind}", params=params, content=content, headers=headers)


async def upload_all(client: httpx.AsyncClient, proposal: str) -> None:
    for kind, partner_key, content in (
        ("narrative", None, NARRATIVE),
        ("letter_of_commitment", "p1", LETTER_1),
        ("letter_of_commitment", "p2", LETTER_2),
    ):
        uploaded = await upload(client, proposal, kind, content, partner=partner_key, name=f"{kind}.pdf")
        assert uploaded.status_code == 201, uploaded.text


async def rows(app: FastAPI, what: Any) -> int:
    async with app.state.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(what))).scalar_one())


async def audited(app: FastAPI, action: str) -> list[str]:
    async with app.state.runtime.sessions() as session:
        query = select(audit_log.c.actor).where(audit_log.c.action == action).order_by(audit_log.c.id)
        return list((await session.execute(query)).scalars())


def content_url(proposal: str, kind: str) -> str:
    return f"/proposals/{proposal}/documents/{kind}/content"


async def test_an_upload_is_stored_by_its_hash_listed_and_downloaded_whole_or_in_ranges(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    uploaded = await upload(client, proposal, "narrative", NARRATIVE, name="Our narrative.pdf")
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    digest = hashlib.sha256(NARRATIVE).hexdigest()
    assert document | {"uploaded_at": None} == {
        "document_type": "narrative",
        "partner": None,
        "name": "Our narrative.pdf",
        "media_type": "application/pdf",
        "size": len(NARRATIVE),
        "pages": 4,
        "sha256": digest,
        "replaced": False,
        "uploaded_at": None,
    }
    listed = (await client.get(f"/proposals/{proposal}/documents", headers=CONSORTIUM)).json()
    assert listed["version"] is None and [d["sha256"] for d in listed["documents"]] == [digest]

    whole = await client.get(content_url(proposal, "narrative"), headers=CONSORTIUM)
    assert whole.status_code == 200 and whole.content == NARRATIVE
    assert whole.headers["etag"] == f'"{digest}"'
    assert whole.headers["content-type"] == "application/pdf"
    assert whole.headers["content-disposition"] == "attachment; filename*=UTF-8''Our%20narrative.pdf"
    part = await client.get(content_url(proposal, "narrative"), headers={**CONSORTIUM, "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == NARRATIVE[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(NARRATIVE)}"
    tail = await client.get(content_url(proposal, "narrative"), headers={**CONSORTIUM, "Range": "bytes=-5"})
    assert tail.content == NARRATIVE[-5:]
    beyond = await client.get(
        content_url(proposal, "narrative"), headers={**CONSORTIUM, "Range": f"bytes={len(NARRATIVE)}-"}
    )
    assert beyond.status_code == 416
    cached = await client.get(
        content_url(proposal, "narrative"), headers={**CONSORTIUM, "If-None-Match": f'"{digest}"'}
    )
    assert cached.status_code == 304
    assert await audited(app, "document.downloaded") == []  # the owner reading its own is not audited


async def test_a_multipart_upload_streams_the_file_part_and_takes_its_file_name(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, _, proposal = await started(service_client, clock)
    uploaded = await client.put(
        f"/proposals/{proposal}/documents/letter_of_commitment",
        params={"partner": "p2"},
        files={"file": ("Lettre d'engagement.pdf", LETTER_2, "application/pdf")},
        data={"note": "ignored"},
        headers=CONSORTIUM,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["name"] == "Lettre d'engagement.pdf"
    assert uploaded.json()["partner"] == "p2"
    downloaded = await client.get(
        content_url(proposal, "letter_of_commitment"), params={"partner": "p2"}, headers=CONSORTIUM
    )
    assert downloaded.content == LETTER_2


async def test_each_refusal_is_its_own_problem_naming_the_document_type_and_links_nothing(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    small = document_types(budget_annex={"max_bytes": 1000})
    client, app, proposal = await started(service_client, clock, call_with_documents(clock, small))
    cases: list[tuple[str, bytes, str | None, int, str]] = [
        ("minutes", NARRATIVE, None, 404, "unknown-document-type"),
        ("narrative", NARRATIVE, "p1", 422, "document-partner-mismatch"),  # one per proposal, not per partner
        ("letter_of_commitment", LETTER_1, None, 422, "document-partner-mismatch"),  # needs the partner
        ("letter_of_commitment", LETTER_1, "p9", 422, "document-partner-mismatch"),  # no such partner
        ("de_minimis", LETTER_1, "p1", 422, "document-partner-mismatch"),  # Bavaria's form; p1 is Upper Austrian
        ("budget_annex", pdf(40, text="a long annex"), None, 413, "document-too-large"),
        ("narrative", PNG, None, 415, "document-media-type"),  # whatever Content-Type says
        ("narrative", b"%PDF-1.7\nnot really a PDF", None, 422, "document-unreadable"),
        ("narrative", pdf(2, password="secret"), None, 422, "document-encrypted"),
        ("narrative", pdf(11, text="too long"), None, 422, "document-too-many-pages"),
    ]
    for kind, content, partner_key, status, slug in cases:
        refused = await upload(client, proposal, kind, content, partner=partner_key)
        assert (refused.status_code, refused.json()["type"].rsplit("/", 1)[1]) == (status, slug), (kind, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["document_type"] == kind
    too_long = await upload(client, proposal, "narrative", pdf(11))
    assert too_long.json()["pages"] == 11 and too_long.json()["max_pages"] == 10
    assert "at most 10 pages" in too_long.json()["detail"]
    assert await rows(app, DraftDocument) == 0
    assert await rows(app, DocumentBlob) == 0


async def test_size_is_refused_as_the_body_streams_not_after_it(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    sent: list[int] = []

    async def endless() -> Any:
        for _ in range(200):  # 200 MiB if it were all read
            sent.append(1)
            yield b"%PDF-" + b"\0" * (1024 * 1024 - 5)

    refused = await client.put(f"/proposals/{proposal}/documents/narrative", content=endless(), headers={**CONSORTIUM})
    assert refused.status_code == 413 and refused.json()["max_bytes"] == 10 * 1024 * 1024
    assert len(sent) <= 12  # it stopped reading just past the 10 MiB limit
    assert await rows(app, DocumentBlob) == 0


async def test_submission_needs_every_required_document_and_the_receipt_hashes_them(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    body = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator"), partner("Bayern Werk GmbH", "DE-BY", requested="50000.00")
    )
    client, _, proposal = await started(service_client, clock, body=body)
    check = (await client.get(f"/proposals/{proposal}/precheck", headers=CONSORTIUM)).json()
    assert check["complete"] is False
    missing = {e["field"] for e in check["missing"]}
    assert missing == {
        "documents.narrative",
        "documents.letter_of_commitment.p1",
        "documents.letter_of_commitment.p2",
        "documents.de_minimis.p2",  # only the Bavarian partner
    }
    refused = await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == missing  # all at once

    await upload_all(client, proposal)
    declaration = pdf(2, text="de minimis")
    assert (await upload(client, proposal, "de_minimis", declaration, partner="p2")).status_code == 201
    assert (await client.get(f"/proposals/{proposal}/precheck", headers=CONSORTIUM)).json()["complete"] is True
    receipt = await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)
    assert receipt.status_code == 201, receipt.text

    # The README's recipe: the draft's JSON plus its documents (type, partner, name, SHA-256), sorted.
    draft = (await client.get(f"/proposals/{proposal}", headers=CONSORTIUM)).json()["draft"]
    documents = [
        {
            "type": "de_minimis",
            "partner": "p2",
            "name": "de_minimis.pdf",
            "sha256": hashlib.sha256(declaration).hexdigest(),
        },
        {
            "type": "letter_of_commitment",
            "partner": "p1",
            "name": "letter_of_commitment.pdf",
            "sha256": hashlib.sha256(LETTER_1).hexdigest(),
        },
        {
            "type": "letter_of_commitment",
            "partner": "p2",
            "name": "letter_of_commitment.pdf",
            "sha256": hashlib.sha256(LETTER_2).hexdigest(),
        },
        {
            "type": "narrative",
            "partner": None,
            "name": "narrative.pdf",
            "sha256": hashlib.sha256(NARRATIVE).hexdigest(),
        },
    ]
    assert receipt.json()["content_sha256"] == sha256_hex({**draft, "documents": documents})
    versions = (await client.get(f"/proposals/{proposal}/versions", headers=CONSORTIUM)).json()
    assert versions[0]["content"]["documents"] == documents


async def test_a_submitted_version_keeps_its_documents_and_a_resubmission_takes_the_drafts(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    await upload_all(client, proposal)
    first = (await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)).json()

    revised = pdf(5, text="revised narrative")
    replaced = await upload(client, proposal, "narrative", revised)
    assert replaced.status_code == 200 and replaced.json()["replaced"] is True
    assert (
        await client.delete(
            f"/proposals/{proposal}/documents/letter_of_commitment", params={"partner": "p2"}, headers=CONSORTIUM
        )
    ).status_code == 204
    old = await client.get(content_url(proposal, "narrative"), params={"version": 1}, headers=CONSORTIUM)
    assert old.content == NARRATIVE  # the version's bytes, untouched by the replacement
    assert (await client.get(content_url(proposal, "narrative"), headers=CONSORTIUM)).content == revised
    version_1 = (await client.get(f"/proposals/{proposal}/documents", params={"version": 1}, headers=CONSORTIUM)).json()
    assert len(version_1["documents"]) == 3

    refused = await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)
    assert refused.status_code == 422  # p2's letter is gone from the draft
    assert await upload(client, proposal, "letter_of_commitment", LETTER_2, partner="p2", name="again.pdf")
    clock.advance(timedelta(minutes=5))
    second = (await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)).json()
    assert second["version"] == 2 and second["content_sha256"] != first["content_sha256"]
    version_2 = (await client.get(f"/proposals/{proposal}/documents", params={"version": 2}, headers=CONSORTIUM)).json()
    assert {d["sha256"] for d in version_2["documents"]} == {
        hashlib.sha256(content).hexdigest() for content in (revised, LETTER_1, LETTER_2)
    }
    assert await rows(app, VersionDocument) == 6


async def test_a_retried_submission_with_documents_gets_its_receipt_until_a_document_changes(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """The Idempotency-Key's replay compares what the receipt hashed, documents included."""
    client, _, proposal = await started(service_client, clock)
    await upload_all(client, proposal)
    keyed = {**CONSORTIUM, "Idempotency-Key": "retry-1"}
    first = await client.post(f"/proposals/{proposal}/submit", headers=keyed)
    again = await client.post(f"/proposals/{proposal}/submit", headers=keyed)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert (await upload(client, proposal, "narrative", pdf(5, text="another narrative"))).status_code == 200
    reused = await client.post(f"/proposals/{proposal}/submit", headers=keyed)
    assert reused.status_code == 422 and reused.json()["type"].endswith("/idempotency-key-reused")


async def test_after_the_deadline_and_after_a_withdrawal_documents_no_longer_change(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    call = call_with_documents(clock)
    client, _, proposal = await started(service_client, clock, call)
    await upload_all(client, proposal)
    clock.set(call.deadline)
    late = await upload(client, proposal, "narrative", pdf(2))
    assert late.status_code == 409 and late.json()["type"].endswith("/deadline-passed")
    gone = await client.delete(f"/proposals/{proposal}/documents/narrative", headers=CONSORTIUM)
    assert gone.status_code == 409


async def test_another_consortium_sees_nothing(service_client: ServiceClient, clock: MovableClock) -> None:
    client, _, proposal = await started(service_client, clock)
    await upload_all(client, proposal)
    assert (await upload(client, proposal, "narrative", NARRATIVE, token=OTHER)).status_code == 404
    assert (await client.get(f"/proposals/{proposal}/documents", headers=OTHER)).status_code == 404
    assert (await client.get(content_url(proposal, "narrative"), headers=OTHER)).status_code == 404
    assert (await client.delete(f"/proposals/{proposal}/documents/narrative", headers=OTHER)).status_code == 404
    assert (await client.get(f"/proposals/{uuid.uuid4()}/documents", headers=OTHER)).status_code == 404


async def test_an_agency_reads_all_and_each_of_its_downloads_is_audited(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    await upload_all(client, proposal)
    listed = (await client.get(f"/proposals/{proposal}/documents", headers=AGENCY)).json()
    assert len(listed["documents"]) == 3  # the draft too
    read = await client.get(content_url(proposal, "letter_of_commitment"), params={"partner": "p2"}, headers=AGENCY)
    assert read.content == LETTER_2
    assert await audited(app, "document.downloaded") == ["agency"]


async def test_a_region_reads_its_own_partners_documents_and_those_marked_for_regions(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    await upload_all(client, proposal)
    annex = pdf(1, text="budget annex")
    await upload(client, proposal, "budget_annex", annex)
    upper_austria, fribourg, bavaria = bearer("region:AT-4"), bearer("region:CH-FR"), bearer("region:DE-BY")
    assert (await client.get(f"/proposals/{proposal}/documents", headers=upper_austria)).status_code == 404  # a draft
    await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)

    def seen(answer: httpx.Response) -> set[tuple[str, str | None]]:
        return {(d["document_type"], d["partner"]) for d in answer.json()["documents"]}

    mine = await client.get(f"/proposals/{proposal}/documents", headers=upper_austria)
    assert seen(mine) == {("narrative", None), ("budget_annex", None), ("letter_of_commitment", "p1")}
    assert seen(await client.get(f"/proposals/{proposal}/documents", headers=fribourg)) == {
        ("narrative", None),
        ("budget_annex", None),
        ("letter_of_commitment", "p2"),
    }
    assert (await client.get(f"/proposals/{proposal}/documents", headers=bavaria)).status_code == 404  # no partner
    others = await client.get(
        content_url(proposal, "letter_of_commitment"), params={"partner": "p2"}, headers=upper_austria
    )
    assert others.status_code == 404
    own = await client.get(
        content_url(proposal, "letter_of_commitment"), params={"partner": "p1"}, headers=upper_austria
    )
    assert own.content == LETTER_1
    assert (await client.get(content_url(proposal, "budget_annex"), headers=fribourg)).content == annex
    assert await audited(app, "document.downloaded") == ["region:AT-4", "region:CH-FR"]


def grant(evaluator: str, proposal: str, version: int = 1, ttl_s: int = 300) -> dict[str, str]:
    key = grant_key(None, DEV_JWT_SECRET, "HS256")
    token = issue_grant(key, evaluator_id=evaluator, proposal_id=proposal, version=version, ttl_s=ttl_s)
    return {"X-Document-Grant": token}


async def test_an_evaluator_reads_with_a_grant_only_the_types_for_evaluators(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    await upload_all(client, proposal)
    await upload(client, proposal, "budget_annex", pdf(1, text="annex"))
    await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)
    expert = bearer("evaluator:ev-1")
    assert (await client.get(f"/proposals/{proposal}/documents", headers=expert)).status_code == 403  # no grant
    others = {**expert, **grant("ev-2", proposal)}
    assert (await client.get(f"/proposals/{proposal}/documents", headers=others)).status_code == 403
    forged = {
        **expert,
        "X-Document-Grant": issue_grant(
            "not-the-key-of-these-two-services-at-all", evaluator_id="ev-1", proposal_id=proposal, version=1
        ),
    }
    assert (await client.get(f"/proposals/{proposal}/documents", headers=forged)).status_code == 403
    expired = {**expert, **grant("ev-1", proposal, ttl_s=-10)}
    assert "expired" in (await client.get(f"/proposals/{proposal}/documents", headers=expired)).json()["detail"]

    granted = {**expert, **grant("ev-1", proposal)}
    listed = (await client.get(f"/proposals/{proposal}/documents", headers=granted)).json()
    assert {(d["document_type"], d["partner"]) for d in listed["documents"]} == {
        ("narrative", None),
        ("letter_of_commitment", "p1"),
        ("letter_of_commitment", "p2"),
    }
    assert (await client.get(content_url(proposal, "narrative"), headers=granted)).content == NARRATIVE
    assert (await client.get(content_url(proposal, "budget_annex"), headers=granted)).status_code == 404
    other_proposal = {**expert, **grant("ev-1", proposal)}
    assert (await client.get(f"/proposals/{uuid.uuid4()}/documents", headers=other_proposal)).status_code == 403
    assert await audited(app, "document.downloaded") == ["evaluator:ev-1"]


async def test_orphaned_bytes_are_collected_and_linked_ones_kept(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    first, second = pdf(1, text="first draft"), pdf(1, text="second draft")
    await upload(client, proposal, "narrative", first)
    await upload(client, proposal, "narrative", second)  # the first's bytes are linked by nothing now
    runtime = app.state.runtime
    assert await collect_orphans(runtime, grace_s=3600) == 0  # not before the grace period
    clock.advance(timedelta(hours=2))
    assert await collect_orphans(runtime, grace_s=3600) == 1
    assert await rows(app, DocumentBlob) == 1
    assert (await client.get(content_url(proposal, "narrative"), headers=CONSORTIUM)).content == second
    again = await upload(client, proposal, "narrative", first)  # the same bytes again: stored anew
    assert again.status_code == 200
    assert (await client.get(content_url(proposal, "narrative"), headers=CONSORTIUM)).content == first


async def test_concurrent_uploads_to_one_draft_leave_one_consistent_link_per_document(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    client, app, proposal = await started(service_client, clock)
    versions = [pdf(1, text=f"narrative {n}") for n in range(6)]
    letters = [pdf(1, text=f"letter {n}") for n in range(4)]
    answers = await asyncio.gather(
        *(upload(client, proposal, "narrative", content) for content in versions),
        *(upload(client, proposal, "letter_of_commitment", c, partner=f"p{1 + n % 2}") for n, c in enumerate(letters)),
        *(upload(client, proposal, "narrative", versions[0]) for _ in range(3)),  # the same bytes at once
    )
    assert all(answer.status_code in (200, 201) for answer in answers), [a.text for a in answers]
    assert sorted(a.json()["replaced"] for a in answers).count(False) == 3  # one first upload per document
    listed = (await client.get(f"/proposals/{proposal}/documents", headers=CONSORTIUM)).json()["documents"]
    assert len(listed) == 3
    for document in listed:
        downloaded = await client.get(
            content_url(proposal, document["document_type"]),
            params={"partner": document["partner"]} if document["partner"] else {},
            headers=CONSORTIUM,
        )
        assert hashlib.sha256(downloaded.content).hexdigest() == document["sha256"]
    assert await rows(app, DocumentBlob) == len(versions) + len(letters)  # each distinct content once


async def test_a_document_of_a_partner_removed_from_the_draft_stays_behind_at_submission(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    three = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator"),
        partner("Universite de Fribourg", "CH-FR", currency="CHF", kind="university"),
        partner("Salzburg Labs GmbH", "AT-5"),
    )
    client, _, proposal = await started(service_client, clock, body=three)
    await upload_all(client, proposal)
    await upload(client, proposal, "letter_of_commitment", pdf(1, text="Salzburg"), partner="p3")
    current = await client.get(f"/proposals/{proposal}", headers=CONSORTIUM)
    two = {**three, "partners": three["partners"][:2]}
    edited = await client.put(
        f"/proposals/{proposal}", json=two, headers={**CONSORTIUM, "If-Match": current.headers["etag"]}
    )
    assert edited.status_code == 200
    receipt = await client.post(f"/proposals/{proposal}/submit", headers=CONSORTIUM)
    assert receipt.status_code == 201, receipt.text
    version = (await client.get(f"/proposals/{proposal}/documents", params={"version": 1}, headers=CONSORTIUM)).json()
    assert {(d["document_type"], d["partner"]) for d in version["documents"]} == {
        ("narrative", None),
        ("letter_of_commitment", "p1"),
        ("letter_of_commitment", "p2"),
    }
    content = (await client.get(f"/proposals/{proposal}/versions", headers=CONSORTIUM)).json()[0]["content"]
    assert [d["partner"] for d in content["documents"]] == ["p1", "p2", None]


async def test_files_of_uploads_cut_off_before_they_committed_are_collected(
    service_client: ServiceClient, clock: MovableClock, database_backend: str
) -> None:
    if database_backend != "sqlite":
        pytest.skip("the file store is the embedded (SQLite) one")
    client, app, proposal = await started(service_client, clock)
    await upload(client, proposal, "narrative", NARRATIVE)
    root = app.state.runtime.settings.data_dir / "documents"
    half = root / "incoming" / "cut-off.part"  # the process died while the body was being written
    half.write_bytes(b"%PDF-1.7 half")
    unlinked = root / "ab" / ("ab" + "0" * 62)  # renamed into place, then the transaction failed
    unlinked.parent.mkdir(parents=True, exist_ok=True)
    unlinked.write_bytes(b"%PDF-1.7 never linked")
    long_ago = time.time() - 7200
    for path in (half, unlinked):
        os.utime(path, (long_ago, long_ago))
    await collect_orphans(app.state.runtime, grace_s=3600)
    assert not half.exists() and not unlinked.exists()
    assert (await client.get(content_url(proposal, "narrative"), headers=CONSORTIUM)).content == NARRATIVE
