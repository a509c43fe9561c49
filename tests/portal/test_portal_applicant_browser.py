"""The applicants' pages in Debian's Chromium (Playwright), on a running embedded app as `jointcall up` serves it:
the public call pages; a consortium signs in with the keyboard, drafts on a live Alpine call, sees the live
pre-check name Upper Austria's funding rate broken and by how much, fixes it, uploads the narrative and the letters
of commitment, submits (the confirmation with the keyboard) and downloads the receipt as JSON and PDF; the proposal
page with its eligibility outcome per partner (a partner not eligible, by how much) and with its published result
(funded, on the reserve list). axe-core finds no WCAG A/AA violation on any page, in English and German (and
Slovenian for the result), wide and narrow. Screenshots go to
tests/browser/screenshots (not committed)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.call_definition.examples import alpine_call
from tests.documents_helpers import pdf
from tests.e2e.test_thin_slice_embedded import close_open_items, submit_when_known, until, with_greedy_bavarian_partner
from tests.helpers import bearer, live_call_body
from tests.portal.test_portal_applicant import decided_and_confirmed
from tests.portal.test_portal_browser import browser, in_thread, looked_at, new_page, portal_url, sign_in
from tests.portal.test_portal_selection import evaluated

__all__ = ["browser", "portal_url"]  # the module's fixtures: one embedded app and one browser for its tests

playwright_api = pytest.importorskip("playwright.sync_api")
AGENCY = bearer("agency")


async def open_call(url: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        body = live_call_body("ALP-BROWSE-APPLY", deadline=timedelta(days=2, hours=5, minutes=30))
        body["documents"] = alpine_call(documents=True)["documents"]
        call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
        published = await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
        assert published.status_code == 200, published.text
        return str(call["id"])


@pytest.fixture(scope="module")
def call_id(portal_url: str) -> str:
    return in_thread(open_call(portal_url))


def settled(page: Any) -> None:
    """The live pre-check's requests done (after its 300 ms delay), so a plain submit sends the fresh revision."""
    page.wait_for_timeout(450)
    page.wait_for_function("!document.querySelector('.htmx-request')")


def fill_partner(page: Any, number: int, values: dict[str, str]) -> None:
    prefix = f"#partners-{number}-"
    for name, value in values.items():
        if name in ("role", "organisation_type", "region_code"):
            page.select_option(prefix + name, value)
        else:
            page.fill(prefix + name, value)


def test_the_public_call_pages(browser: Any, portal_url: str, call_id: str) -> None:
    page = new_page(browser)
    page.goto(portal_url + "/")
    page.get_by_role("link", name="Open and upcoming calls").click()
    page.wait_for_url(portal_url + "/calls")
    assert "Closes in 2 days 5 hours" in page.inner_text("main")
    looked_at(page, "applicant-calls")
    page.get_by_role("link", name="ALP-BROWSE-APPLY").click()
    assert "Upper Austria (AT-4)" in page.inner_text("main")
    looked_at(page, "applicant-call")
    page.context.close()
    narrow = new_page(browser, locale="de-DE", width=390)
    narrow.goto(f"{portal_url}/calls/{call_id}")
    assert narrow.get_attribute("html", "lang") == "de" and "Endet in 2 Tagen 5 Stunden" in narrow.inner_text("main")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    looked_at(narrow, "applicant-call-de-narrow")
    narrow.context.close()


def draft_fix_upload_and_submit(page: Any, portal_url: str, call_id: str) -> str:
    """A consortium (acme) signs in with the keyboard and drafts ALPHA on the call, the live pre-check shows Upper
    Austria's funding rate broken by 50,000 EUR, it is fixed, the narrative and the letters are uploaded, the
    proposal submitted (the confirmation by keyboard) and the receipt downloaded as JSON and PDF. The form's URL."""
    keys = page.keyboard
    page.goto(portal_url + "/sign-in")
    keys.press("Tab")  # the skip link first
    keys.press("Enter")
    keys.press("Tab")
    assert page.evaluate("document.activeElement.id") == "role"
    keys.type("c")  # consortium
    keys.press("Tab")
    keys.type("acme")
    keys.press("Enter")
    page.wait_for_url(portal_url + "/consortium")
    looked_at(page, "applicant-proposals")

    page.fill(f"#acronym-{call_id}", "ALPHA")
    page.get_by_role("button", name="Start a proposal").click()
    page.wait_for_url(re.compile("/consortium/proposals/"))
    form_url = page.url
    looked_at(page, "applicant-form-empty")

    page.fill("#title", "A transregional value chain for circular manufacturing")
    page.fill("#abstract", "Partners from two Alpine regions develop and pilot a circular process.")
    page.get_by_label("circular economy").check()
    page.fill("#trl", "5")
    page.fill("#duration_months", "24")
    settled(page)
    page.get_by_role("button", name="Add a partner").click()  # a plain submit: works without JavaScript too
    page.wait_for_selector("#partners-0-organisation_name")
    fill_partner(
        page,
        0,
        {
            "organisation_name": "Alpha GmbH",
            "role": "coordinator",
            "organisation_type": "sme",
            "region_code": "AT-4",
            "country": "AT",
            "legal_id": "ATU12345678",
            "contact-name": "Anna Berger",
            "contact-email": "anna@alpha.example",
            "currency": "EUR",
            "budget-personnel": "200000",
            "requested_funding": "150000",  # Upper Austria funds an SME at 50%: at most 100,000
        },
    )
    page.check("#partners-0-is_sme")
    settled(page)
    page.get_by_role("button", name="Add a partner").click()
    page.wait_for_selector("#partners-1-organisation_name")
    fill_partner(
        page,
        1,
        {
            "organisation_name": "Universite de Fribourg",
            "organisation_type": "university",
            "region_code": "CH-FR",
            "country": "CH",
            "legal_id": "CHE-123.456.789",
            "contact-name": "Luc Meyer",
            "contact-email": "luc@unifr.example",
            "currency": "CHF",
            "budget-personnel": "150000",
            "requested_funding": "120000",
        },
    )
    precheck = page.locator("#precheck")
    precheck.get_by_text("€50,000.00 more than the €100,000.00").wait_for()
    assert "Alpha GmbH" in precheck.inner_text() and "rule of Upper Austria" in precheck.inner_text()
    looked_at(page, "applicant-form-breach")

    page.fill("#partners-0-requested_funding", "100000")  # fixed: the live pre-check says so
    page.wait_for_function("!document.querySelector('#precheck').textContent.includes('more than the')")
    settled(page)
    assert "Project narrative" in precheck.inner_text()  # still missing to submit

    page.set_input_files("#doc-narrative-proposal", files=[_file("narrative.pdf", pdf(3, text="narrative"))])
    page.locator("form.upload", has=page.locator("#doc-narrative-proposal")).locator("button[type=submit]").click()
    page.wait_for_selector("text=The document was uploaded and passed its checks.")
    for key in ("p1", "p2"):
        page.set_input_files(f"#doc-letter_of_commitment-{key}", files=[_file(f"letter-{key}.pdf", pdf(1, text=key))])
        page.locator("form.upload", has=page.locator(f"#doc-letter_of_commitment-{key}")).locator(
            "button[type=submit]"
        ).click()
        page.wait_for_selector("text=The document was uploaded and passed its checks.")
    assert "Every rule is met" in precheck.inner_text() or "It may be submitted now." in precheck.inner_text()
    looked_at(page, "applicant-form-ready")

    page.get_by_role("link", name="Check and submit").click()
    page.wait_for_url(re.compile("/submit$"))
    assert hashlib.sha256(pdf(3, text="narrative")).hexdigest() in page.inner_text("main")
    looked_at(page, "applicant-confirm")
    page.locator("main button[type=submit]").focus()
    keys.press("Enter")  # the irreversible step, by keyboard
    page.wait_for_url(re.compile(r"/receipt\?version=1$"))
    receipt_text = page.inner_text("main")
    assert "Your proposal was received." in receipt_text
    looked_at(page, "applicant-receipt")

    with page.expect_download() as as_json:
        page.get_by_role("link", name="Download the receipt as JSON").click()
    receipt = json.loads(Path(as_json.value.path()).read_text())
    assert receipt["version"] == 1 and receipt["content_sha256"] in receipt_text
    with page.expect_download() as as_pdf:
        page.get_by_role("link", name="Download the receipt as PDF").click()
    assert Path(as_pdf.value.path()).read_bytes().startswith(b"%PDF")

    return form_url


def test_an_applicant_drafts_fixes_the_breach_the_precheck_shows_uploads_submits_and_downloads_the_receipt(
    browser: Any, portal_url: str, call_id: str, tmp_path: Path
) -> None:
    page = new_page(browser)
    form_url = draft_fix_upload_and_submit(page, portal_url, call_id)

    # The same pages in German, at a narrow window: the form with its pre-check, and the receipt.
    page.click("a[hreflang=de]")
    assert page.get_attribute("html", "lang") == "de" and "Empfangsbestätigung" in page.inner_text("h1")
    looked_at(page, "applicant-receipt-de")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(form_url)
    assert "Vorprüfung" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # wide tables scroll in their own region
    looked_at(page, "applicant-form-de-narrow")
    page.context.close()


def _file(name: str, content: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


async def decided_and_published(url: str) -> dict[str, str]:
    """A proposal found not eligible (Bavaria's funding rate broken) in one call, and in another the results
    published (ALPHA funded, BETA on the reserve list): the proposals' ids by acronym (GREEDY the first)."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        body = live_call_body("ALP-BROWSE-OUTCOME", deadline=timedelta(seconds=4))
        call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
        await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
        greedy = with_greedy_bavarian_partner()
        greedy["acronym"] = "GREEDY"
        greedy_id = (await submit_when_known(client, call["id"], greedy))["proposal_id"]
        results_call = await evaluated(client, "ALP-BROWSE-RESULT")  # meanwhile the first call closes
        ids = await decided_and_confirmed(client, results_call)
        published = await client.post(f"/joint-evaluation/calls/{results_call}/results/publish", headers=AGENCY)
        assert published.is_success, published.text
        await until(
            client, f"/regional-eligibility/proposals/{greedy_id}", lambda b: b["status"] != "awaiting_deadline"
        )
        for region in ("AT-4", "CH-FR", "DE-BY"):
            await close_open_items(client, bearer(f"region:{region}"))
        await until(client, f"/regional-eligibility/proposals/{greedy_id}", lambda b: b["status"] == "decided")
        return {"GREEDY": greedy_id, **ids}


def test_the_eligibility_outcome_and_the_result_on_the_proposal_page(browser: Any, portal_url: str) -> None:
    ids = in_thread(decided_and_published(portal_url))
    page = new_page(browser)
    sign_in(page, portal_url, "consortium", "acme")
    page.goto(f"{portal_url}/consortium/proposals/{ids['GREEDY']}")
    outcome = page.inner_text("#outcome")
    assert "Not eligible" in outcome and "€12,000.00 more than the €50,000.00" in outcome
    looked_at(page, "applicant-outcome")  # axe: no A/AA violation
    page.goto(f"{portal_url}/consortium/proposals/{ids['BETA']}")
    assert "On the reserve list" in page.inner_text("#result")
    looked_at(page, "applicant-result-reserve")
    page.context.close()
    for locale, funded in (("de-DE", "Gefördert"), ("sl-SI", "Financiran")):
        narrow = new_page(browser, locale=locale, width=390)
        sign_in(narrow, portal_url, "consortium", "acme")
        narrow.goto(f"{portal_url}/consortium/proposals/{ids['ALPHA']}")
        assert funded in narrow.inner_text("#result")
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
        looked_at(narrow, f"applicant-result-{locale[:2]}-narrow")
        narrow.context.close()
