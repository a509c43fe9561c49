"""The applicants' pages on the embedded default, through the pages (forms with their CSRF token): the public call
pages, a consortium's draft with the live pre-check naming a region's rule broken and by how much, partners added
and removed without JavaScript, the API's field errors at their fields, documents uploaded (their checks' refusal
at the field), the confirmation of what will be hashed, the receipt as a page, JSON and PDF, resubmission,
withdrawal, and the call closed by the server's clock."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from services.call_definition.examples import alpine_call
from services.embedded import create_embedded_app
from services.portal.pages.applicant import countdown, draft_of_form, findings, gaps
from tests.documents_helpers import pdf
from tests.e2e.test_thin_slice_embedded import close_open_items, submit_when_known, until, with_greedy_bavarian_partner
from tests.helpers import bearer, live_call_body, migrate_all, partner, proposal_body
from tests.portal.test_portal_pages import csrf_of, sign_in
from tests.portal.test_portal_selection import evaluated, every_region_confirms

AGENCY = bearer("agency")


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    await migrate_all(tmp_path)
    app = create_embedded_app(tmp_path, retry_delay_ms=100)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        yield client


async def published(
    client: httpx.AsyncClient, code: str, deadline: timedelta = timedelta(days=3, hours=4, minutes=5)
) -> str:
    body = live_call_body(code, deadline=deadline)
    body["documents"] = alpine_call(documents=True)["documents"]
    call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200
    return str(call["id"])


def form_of(draft: dict[str, Any], page: str, **changes: Any) -> dict[str, Any]:
    """The proposal form as a person fills it in for `draft` (a body as tests.helpers builds it)."""
    revision = re.search(r'name="revision" id="revision" value="(\d+)"', page)
    assert revision, "the form has no revision"
    data: dict[str, Any] = {
        "csrf_token": csrf_of(page),
        "revision": revision.group(1),
        "acronym": draft["acronym"],
        "title": draft["title"],
        "abstract": draft["abstract"],
        "s3_areas": draft["s3_areas"],
        "trl": str(draft["trl"]),
        "duration_months": str(draft["duration_months"]),
        "partner_count": str(len(draft["partners"])),
    }
    keys = re.findall(r'name="partners-(\d+)-key" value="([^"]*)"', page)
    for number, one in enumerate(draft["partners"]):
        prefix = f"partners-{number}-"
        data.update({prefix + k: one[k] for k in ("organisation_name", "legal_id", "country", "region_code")})
        data.update({prefix + "organisation_type": one["organisation_type"], prefix + "role": one["role"]})
        data.update({prefix + "currency": one["currency"], prefix + "requested_funding": one["requested_funding"]})
        data.update(
            {prefix + "contact-name": one["contact"]["name"], prefix + "contact-email": one["contact"]["email"]}
        )
        data.update({prefix + "budget-" + c: amount for c, amount in one["budget"].items()})
        if one["is_sme"]:
            data[prefix + "is_sme"] = "yes"
        data[prefix + "key"] = dict(keys).get(str(number), "")
    data.update(changes)
    return data


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")


async def drafted(client: httpx.AsyncClient, call_id: str, acronym: str = "ALPHA") -> tuple[str, str]:
    """A consortium signed in starts a draft from the call's page; its form's address and page."""
    await sign_in(client, "consortium", "acme")
    call_page = await client.get(f"/calls/{call_id}")
    started = await client.post(
        f"/consortium/calls/{call_id}/proposals", data={"csrf_token": csrf_of(call_page.text), "acronym": acronym}
    )
    assert started.status_code == 303, started.text
    form = await client.get(started.headers["location"])
    assert form.status_code == 200
    return started.headers["location"], form.text


def test_the_form_becomes_the_draft_the_service_takes() -> None:
    form = {
        "acronym": " ALPHA ",
        "title": "",
        "s3_areas": ["circular economy", ""],
        "trl": "5",
        "partner_count": "1",
        "partners-0-organisation_name": "Alpha GmbH",
        "partners-0-role": "",
        "partners-0-budget-personnel": "1000",
        "partners-0-budget-travel": "",
        "partners-0-contact-name": "Ada",
        "partners-0-contact-email": "",
    }
    draft = draft_of_form(form)
    assert draft["acronym"] == "ALPHA" and "title" not in draft and draft["s3_areas"] == ["circular economy"]
    assert draft["partners"] == [
        {
            "organisation_name": "Alpha GmbH",
            "role": "partner",
            "is_sme": False,
            "contact": {"name": "Ada", "email": None},
            "budget": {"personnel": "1000"},
        }
    ]


def test_the_precheck_is_put_in_words_per_partner_and_region_with_how_much_too_much() -> None:
    precheck = {
        "requirements": {"regions": [{"code": "AT-4", "name": "Upper Austria", "currency": "EUR"}]},
        "report": {
            "consortium": [{"rule": "consortium.min_partners", "outcome": "fail", "reason": "too few", "details": {}}],
            "regions": {
                "AT-4": {
                    "region": [],
                    "partners": {
                        "p1": [
                            {"rule": "regional.trl", "outcome": "pass", "reason": "ok", "partner_id": "p1"},
                            {
                                "rule": "regional.funding_rate",
                                "outcome": "fail",
                                "reason": "requested too much",
                                "partner_id": "p1",
                                "region_code": "AT-4",
                                "details": {"requested": "150000.00", "limit": "100000.00", "rate": "0.5"},
                            },
                        ]
                    },
                }
            },
        },
        "missing": [
            {"field": "partners.0.country", "message": "required for submission"},
            {"field": "documents.letter_of_commitment.p2", "message": "'Letter' from partner p2 is required"},
        ],
    }
    draft = {"partners": [{"key": "p1", "organisation_name": "Alpha GmbH", "currency": "EUR"}]}
    consortium, rate = findings(precheck, draft)  # passes are left out
    assert consortium["consortium"] and consortium["region"] == "" and consortium["partner"] is None
    assert rate["partner"] == "Alpha GmbH" and rate["region"] == "Upper Austria" and str(rate["over"]) == "50000.00"
    country, letter = gaps(precheck)
    assert country == {
        "id": "partners-0-country",
        "partner": 1,
        "name": "country",
        "message": "required for submission",
        "required": True,
    }
    assert letter["id"] == "doc-letter_of_commitment-p2" and letter["name"] == "document"


def test_the_countdown_counts_days_and_hours_and_ends_at_the_deadline() -> None:
    from datetime import UTC, datetime

    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    assert countdown(now + timedelta(days=3, hours=4, minutes=59), now) == {"days": 3, "hours": 4, "minutes": 59}
    assert countdown(now, now) is None and countdown(now - timedelta(seconds=1), now) is None


async def test_the_public_call_pages_say_the_dates_the_rules_and_the_criteria(embedded: httpx.AsyncClient) -> None:
    call_id = await published(embedded, "ALP-PUBLIC")
    listing = await embedded.get("/calls")
    assert listing.status_code == 200 and "ALP-PUBLIC" in listing.text
    assert "Closes in 3 days 4 hours" in text_of(listing.text)
    detail = text_of((await embedded.get(f"/calls/{call_id}")).text)
    assert "Closes in 3 days 4 hours" in detail
    assert "Dates in the call's time zone (Europe/Zurich)" in detail and re.search(r"\d\d:\d\d CES?T", detail)
    # Upper Austria's annex in words: the funding rate of an SME, its caps, its S3 areas, its manual check
    assert "Upper Austria (AT-4)" in detail and "SME 50%" in detail and "At most €200,000.00 per partner." in detail
    assert "Subcontracting at most 20% of a partner's costs." in detail
    assert "Bavaria (DE-BY)" in detail and "TRL 4 to 7 only." in detail
    assert "Project narrative" in detail and "each partner from DE-BY" in detail  # documents, per region
    assert "Impact 1.5 3.0" in detail  # a criterion, its weight and threshold
    assert "Sign in as a consortium to start a proposal." in detail
    german = text_of((await embedded.get(f"/calls/{call_id}", headers={"Accept-Language": "de"})).text)
    assert "Endet in 3 Tagen 4 Stunden" in german and "200.000,00 €" in german


async def test_a_draft_with_the_live_precheck_a_breach_fixed_documents_submitted_and_its_receipt(
    embedded: httpx.AsyncClient,
) -> None:
    call_id = await published(embedded, "ALP-APPLY")
    path, page = await drafted(embedded, call_id)
    assert "Closes in 3 days" in text_of(page)

    # Without JavaScript: "Add a partner" saves and shows the form again with an empty partner row.
    body = proposal_body(
        partner("Alpha GmbH", "AT-4", role="coordinator", requested="150000.00"),  # 50% of 200,000 is 100,000
        partner("Universite de Fribourg", "CH-FR", currency="CHF", kind="university", costs="150000.00"),
    )
    for count in range(len(body["partners"])):
        added = await embedded.post(
            path, data={**form_of({**body, "partners": body["partners"][:count]}, page), "action": "add_partner"}
        )
        assert added.status_code == 200 and "A partner row was added" in added.text
        page = added.text
    assert 'id="partners-1-organisation_name"' in page

    # A value the service refuses is shown at its field, with what the person typed kept.
    wrong = await embedded.post(path, data={**form_of(body, page), "partners-0-country": "Austria", "action": "save"})
    assert wrong.status_code == 422
    assert 'id="partners-0-country-error"' in wrong.text and 'href="#partners-0-country"' in wrong.text
    assert 'value="Austria"' in wrong.text
    live_wrong = await embedded.post(path + "/precheck", data={**form_of(body, page), "partners-0-country": "Austria"})
    assert (
        "Not saved: Partner 1: Country" in text_of(live_wrong.text) and 'href="#partners-0-country"' in live_wrong.text
    )

    # The live pre-check (htmx posts the form on change): saved, and the region's rule broken, by how much.
    live = await embedded.post(path + "/precheck", data=form_of(body, page))
    assert live.status_code == 200
    said = text_of(live.text)
    assert "Alpha GmbH , rule of Upper Austria: requests €150,000.00, €50,000.00 more than the €100,000.00" in said
    assert 'hx-swap-oob="true"' in live.text  # the draft's new revision, into the form
    assert 'id="precheck-status"' in live.text and "rules to look at." in said  # announced in a short status
    assert "Project narrative" in said and 'href="#doc-narrative-proposal"' in live.text  # still missing
    revision = re.search(r'id="revision" value="(\d+)"', live.text)
    assert revision
    in_german = await embedded.post(
        path + "/precheck", data=form_of(body, page, revision=revision.group(1)), headers={"Accept-Language": "de"}
    )
    assert "50.000,00 € mehr" in text_of(in_german.text)

    # Fixed (no JavaScript: "Save and check"), the breach is gone.
    page = (await embedded.get(path)).text
    body["partners"][0]["requested_funding"] = "100000.00"
    checked = await embedded.post(path, data={**form_of(body, page), "action": "check"})
    assert checked.status_code == 200 and "Upper Austria: requests" not in text_of(checked.text)

    # Documents: a file that is not a PDF is refused at its field; the narrative and the letters are taken.
    upload = path + "/documents"
    token = csrf_of(checked.text)
    refused = await embedded.post(
        upload,
        data={"csrf_token": token, "document_type": "narrative", "partner": ""},
        files={"file": ("narrative.txt", b"just some text", "text/plain")},
    )
    assert refused.status_code == 415
    assert 'id="doc-narrative-proposal-error"' in refused.text and 'href="#doc-narrative-proposal"' in refused.text
    narrative = pdf(2, text="our narrative")
    taken = await embedded.post(
        upload,
        data={"csrf_token": token, "document_type": "narrative", "partner": ""},
        files={"file": ("narrative.pdf", narrative, "application/pdf")},
    )
    assert taken.status_code == 303, taken.text
    keys = re.findall(r'name="partners-\d+-key" value="([^"]+)"', checked.text)
    assert len(keys) == 2
    for key in keys:
        letter = await embedded.post(
            upload,
            data={"csrf_token": token, "document_type": "letter_of_commitment", "partner": key},
            files={"file": (f"letter-{key}.pdf", pdf(1, text=key), "application/pdf")},
        )
        assert letter.status_code == 303
    page = (await embedded.get(path)).text
    assert hashlib.sha256(narrative).hexdigest() in page and "narrative.pdf" in page

    # The confirmation says what will be hashed: the draft's revision and each document by its hash.
    confirm = await embedded.get(path + "/submit")
    assert "revision" in confirm.text and hashlib.sha256(narrative).hexdigest() in confirm.text
    assert "Submit version 1" in confirm.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', confirm.text)
    assert key
    sent = await embedded.post(
        path + "/submit", data={"csrf_token": csrf_of(confirm.text), "idempotency_key": key.group(1)}
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("/receipt?version=1")
    receipt = await embedded.get(sent.headers["location"])
    assert "Your proposal was received." in receipt.text and hashlib.sha256(narrative).hexdigest() in receipt.text

    # The receipt as JSON: its hash is the SHA-256 of the content it names (README "Receipts").
    as_json = await embedded.get(path + "/receipt.json?version=1")
    assert as_json.headers["content-disposition"].startswith("attachment")
    kept = as_json.json()
    proposal_id = path.rsplit("/", 1)[-1]
    versions = (
        await embedded.get(f"/proposal-intake/proposals/{proposal_id}/versions", headers=bearer("consortium:acme"))
    ).json()
    content = versions[0]["content"]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    assert kept["content_sha256"] == digest.hexdigest() and kept["content_sha256"] in receipt.text
    assert {d["type"] for d in kept["documents"]} == {"narrative", "letter_of_commitment"}
    as_pdf = await embedded.get(path + "/receipt.pdf?version=1")
    assert as_pdf.headers["content-type"] == "application/pdf"
    pdf_text = PdfReader(io.BytesIO(as_pdf.content)).pages[0].extract_text()
    assert kept["content_sha256"] in pdf_text and "Version: 1" in pdf_text

    # Resubmitted until the deadline: version 2, both in the history.
    confirm = await embedded.get(path + "/submit")
    assert "Submit version 2" in confirm.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', confirm.text)
    assert key
    again = await embedded.post(
        path + "/submit", data={"csrf_token": csrf_of(confirm.text), "idempotency_key": key.group(1)}
    )
    assert again.headers["location"].endswith("version=2")
    history = (await embedded.get(path)).text
    assert "Receipt of version 1" in history and "Receipt of version 2" in history

    # Withdrawn, after a confirmation that needs a reason.
    ask = await embedded.get(path + "/withdraw")
    no_reason = await embedded.post(path + "/withdraw", data={"csrf_token": csrf_of(ask.text), "reason": ""})
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    gone = await embedded.post(
        path + "/withdraw", data={"csrf_token": csrf_of(ask.text), "reason": "our partner left"}, follow_redirects=True
    )
    assert "The proposal was withdrawn." in gone.text
    mine = text_of((await embedded.get("/consortium")).text)
    assert "ALPHA" in mine and "withdrawn" in mine


async def test_a_partner_row_is_removed_and_the_rows_after_it_move_up(embedded: httpx.AsyncClient) -> None:
    call_id = await published(embedded, "ALP-REMOVE")
    path, page = await drafted(embedded, call_id)
    body = proposal_body(
        partner("First GmbH", "AT-4", role="coordinator"),
        partner("Second Srl", "IT-21"),
        partner("Third doo", "SI"),
    )
    for count in range(3):
        page = (
            await embedded.post(
                path, data={**form_of({**body, "partners": body["partners"][:count]}, page), "action": "add_partner"}
            )
        ).text
    saved = await embedded.post(path, data={**form_of(body, page), "action": "save"}, follow_redirects=True)
    assert "Your draft was saved." in saved.text
    removed = await embedded.post(path, data={**form_of(body, saved.text), "action": "remove:1"})
    assert removed.status_code == 200
    assert 'value="First GmbH"' in removed.text and 'value="Third doo"' in removed.text
    assert "Second Srl" not in removed.text
    stored = await embedded.get(
        f"/proposal-intake/proposals/{path.rsplit('/', 1)[-1]}", headers=bearer("consortium:acme")
    )
    assert [p["organisation_name"] for p in stored.json()["draft"]["partners"]] == ["First GmbH", "Third doo"]


async def test_after_the_deadline_the_form_says_the_call_is_closed_and_the_refusal_is_shown(
    embedded: httpx.AsyncClient,
) -> None:
    call_id = await published(embedded, "ALP-LATE", deadline=timedelta(seconds=4))
    path, _page = await drafted(embedded, call_id)
    confirm = await embedded.get(path + "/submit")
    await asyncio.sleep(4.5)
    closed = text_of((await embedded.get(path)).text)
    assert "The call is closed." in closed and "Add a partner" not in closed
    late = await embedded.post(
        path + "/submit", data={"csrf_token": csrf_of(confirm.text), "idempotency_key": "late-1"}
    )
    assert late.status_code == 409
    assert "The call closed before your submission arrived." in late.text and "Nothing was stored" in late.text


async def test_a_consortium_page_needs_a_consortium(embedded: httpx.AsyncClient) -> None:
    assert (await embedded.get("/consortium")).headers["location"] == "/sign-in"
    await sign_in(embedded, "consortium", "acme")
    assert "My proposals" in (await embedded.get("/", follow_redirects=True)).text
    other = await embedded.get("/consortium/proposals/00000000-0000-0000-0000-000000000000")
    assert other.status_code == 404


async def test_the_proposal_page_shows_the_eligibility_outcome_per_partner_with_the_rule_and_how_much(
    embedded: httpx.AsyncClient,
) -> None:
    call = (
        await embedded.post(
            "/call-definition/calls", json=live_call_body("ALP-OUTCOME", deadline=timedelta(seconds=4)), headers=AGENCY
        )
    ).json()
    await embedded.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
    proposal_id = (await submit_when_known(embedded, call["id"], with_greedy_bavarian_partner()))["proposal_id"]
    await sign_in(embedded, "consortium", "acme")
    path = f"/consortium/proposals/{proposal_id}"

    await until(embedded, f"/regional-eligibility/proposals/{proposal_id}", lambda b: b["status"] == "checking")
    checking = text_of((await embedded.get(path)).text)
    assert "Being checked by the regions" in checking
    assert "Being checked: 1 point with the officers" in checking
    assert "an officer will check: financial viability of companies" in checking

    for region in ("AT-4", "CH-FR", "DE-BY"):
        await close_open_items(embedded, bearer(f"region:{region}"))  # the officers' note: "documents checked"
    await until(embedded, f"/regional-eligibility/proposals/{proposal_id}", lambda b: b["status"] == "decided")
    page = await embedded.get(path)
    said = text_of(page.text)
    assert "Not eligible — version 1, decided on" in said
    bavaria = said.split("Bayern Werk GmbH Bavaria (DE-BY)")[1].split("The consortium as a whole")[0]
    assert "Not eligible" in bavaria
    assert "requests €62,000.00, €12,000.00 more than the €50,000.00 it may request" in bavaria
    assert "Alpha GmbH Upper Austria (AT-4) Eligible Every rule is met." in said
    assert "The consortium as a whole rules of the call Eligible" in said
    assert "documents checked" not in said and "region:DE-BY" not in said  # the officers' notes stay theirs
    assert 'id="result"' not in page.text  # nothing published
    german = text_of((await embedded.get(path, headers={"Accept-Language": "de"})).text)
    assert "Nicht förderfähig" in german and "12.000,00 € mehr" in german

    await sign_in(embedded, "consortium", "someone-else")
    assert (await embedded.get(path)).status_code == 404


async def decided_and_confirmed(client: httpx.AsyncClient, call_id: str) -> dict[str, str]:
    """The evaluated call's ranking fixed, its funding decided and confirmed by every region funding partners
    (not published): each proposal's id by its acronym."""
    ranking = (await client.get(f"/joint-evaluation/calls/{call_id}/ranking", headers=AGENCY)).json()["items"]
    assert (await client.post(f"/joint-evaluation/calls/{call_id}/ranking/complete", headers=AGENCY)).is_success
    decided = await client.post(f"/joint-evaluation/calls/{call_id}/funding", headers=AGENCY)
    assert decided.is_success, decided.text
    await every_region_confirms(client, call_id)
    return {line["acronym"]: line["proposal_id"] for line in ranking}


async def test_the_proposal_page_shows_the_result_once_the_call_publishes_it(embedded: httpx.AsyncClient) -> None:
    call_id = await evaluated(embedded, "ALP-RESULT")  # ALPHA above BETA; Upper Austria can fund only one
    ids = await decided_and_confirmed(embedded, call_id)
    await sign_in(embedded, "consortium", "acme")
    alpha = f"/consortium/proposals/{ids['ALPHA']}"
    before = await embedded.get(alpha)
    assert 'id="outcome"' in before.text and 'id="result"' not in before.text  # decided, not published

    assert (await embedded.post(f"/joint-evaluation/calls/{call_id}/results/publish", headers=AGENCY)).is_success
    funded = text_of((await embedded.get(alpha)).text)
    assert "Funded — results published on" in funded and "Rank 1" in funded
    grants = funded.split("Funding granted per region")[1].split("The proposal")[0]
    assert "Upper Austria (AT-4) €100,000.00" in grants and re.search(
        r"Canton of Fribourg \(CH-FR\) CHF\W*120,000.00", grants
    )
    reserve = text_of((await embedded.get(f"/consortium/proposals/{ids['BETA']}")).text)
    assert "On the reserve list" in reserve and "Place on the reserve list 1" in reserve
    assert "Upper Austria (AT-4): €50,000.00 short" in reserve
    italian = text_of((await embedded.get(alpha, headers={"Accept-Language": "it"})).text)
    assert "Finanziato" in italian
