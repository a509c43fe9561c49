"""The secretariat's selection in Debian's Chromium (Playwright) on a running embedded app: on a call whose two
proposals have a final consensus (only one fits Upper Austria's budget), the agency checks the evaluation page,
fixes the ranking, runs a what-if top-up for AT-4 and sees the reserve proposal funded beside the current list,
decides (confirming first), the regions confirm through the API, the agency publishes and downloads the XLSX,
which holds an evaluator's comment. axe-core finds no WCAG A/AA violation on any page, in English and German;
screenshots go to tests/browser/screenshots (not committed). One browser for the module."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.portal.test_portal_browser import browser, in_thread, looked_at, new_page, portal_url, sign_in
from tests.portal.test_portal_selection import evaluated, every_region_confirms

__all__ = ["browser", "portal_url"]


async def prepare(url: str) -> str:
    """The call, evaluated: ALPHA (4.5) above BETA (4), both asking AT-4 for 100,000 EUR of its 150,000."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await evaluated(client, "ALP-MEETING")


async def confirm_all(url: str, call_id: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await every_region_confirms(client, call_id)


@pytest.fixture(scope="module")
def evaluated_call(portal_url: str) -> str:
    return in_thread(prepare(portal_url))


def fix_the_ranking_and_top_up(page: Any, call: str) -> None:
    """At the meeting of the evaluated call (its URL `call`): the ranking fixed, then a what-if top-up of 50,000 EUR
    for Upper Austria typed and sent by keyboard, which funds BETA beside the current list."""
    page.goto(call + "/meeting")
    page.get_by_role("button", name="Fix the ranking").click()
    page.wait_for_load_state()
    assert "The ranking is fixed." in page.content()
    looked_at(page, "selection-meeting")

    # The what-if, by keyboard: type a top-up for Upper Austria and send the form with Enter.
    page.focus("#top_up_AT-4")
    page.keyboard.type("50000")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    result = page.locator("#what-if-result")
    assert "1 proposal changes status." in result.inner_text()
    assert "BETA" in page.locator("#funded-what-if + ol").inner_text()
    assert "BETA" not in page.locator("#funded-now + ol").inner_text()
    looked_at(page, "selection-what-if")


def decide_publish_and_download(page: Any, portal_url: str, call_id: str) -> None:
    """After the what-if: the funding decided (confirmed first), every region confirms through the API, the
    results published (confirmed first) and the XLSX downloaded: it holds ALPHA's evaluators' comments."""
    page.get_by_role("button", name="Decide the funding").click()
    page.wait_for_load_state()
    assert page.locator("#confirm_decide-error").is_visible()  # confirm first
    page.check("#confirm_decide")
    page.get_by_role("button", name="Decide the funding").click()
    page.wait_for_load_state()
    assert "waiting" in page.locator("#confirmations").inner_text()
    in_thread(confirm_all(portal_url, call_id))
    page.reload()
    assert "waiting" not in page.locator("#confirmations").inner_text()
    looked_at(page, "selection-decided")

    page.goto(f"{portal_url}/selection/calls/{call_id}/results")
    page.check("#confirm_publish")
    page.get_by_role("button", name="Publish the results").click()
    page.wait_for_load_state()
    assert "The results are published." in page.content()
    looked_at(page, "selection-results")
    with page.expect_download() as download:
        page.get_by_role("link", name="Workbook (XLSX)", exact=False).click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    comments = list(book["Comments"].iter_rows(values_only=True))
    assert any(row[0] == "ALPHA" and row[5] == "Reasoned view 4.5 on impact." for row in comments)


def test_the_agency_runs_the_meeting_decides_and_publishes(browser: Any, portal_url: str, evaluated_call: str) -> None:
    call = f"{portal_url}/selection/calls/{evaluated_call}"
    page = new_page(browser)
    sign_in(page, portal_url, "agency", "")
    page.goto(portal_url + "/selection")
    looked_at(page, "selection-calls")
    page.goto(call + "/evaluation")
    assert page.locator("#progress").is_visible()
    looked_at(page, "selection-evaluation")

    fix_the_ranking_and_top_up(page, call)
    narrow = new_page(browser, width=400)
    sign_in(narrow, portal_url, "agency", "")
    narrow.goto(call + "/meeting")
    looked_at(narrow, "selection-meeting-narrow")
    narrow.context.close()

    decide_publish_and_download(page, portal_url, evaluated_call)
    page.goto(f"{portal_url}/monitoring")  # the published call is followed from here on
    page.get_by_role("link", name=re.compile("ALP-")).first.click()
    page.wait_for_load_state()
    assert "Projects by status" in page.content()
    looked_at(page, "monitoring")
    page.context.close()


def test_the_meeting_in_german_has_no_accessibility_violation(
    browser: Any, portal_url: str, evaluated_call: str
) -> None:
    page = new_page(browser, locale="de-DE")
    sign_in(page, portal_url, "agency", "")
    for name in ("evaluation", "meeting", "results"):
        page.goto(f"{portal_url}/selection/calls/{evaluated_call}/{name}")
        assert page.locator("html").get_attribute("lang") == "de"
        looked_at(page, f"selection-{name}-de")
    page.goto(f"{portal_url}/monitoring/calls/{evaluated_call}")
    assert "Projekte nach Status" in page.content()
    looked_at(page, "monitoring-de")
    page.context.close()
