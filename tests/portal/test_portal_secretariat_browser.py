"""The call console in Debian's Chromium: an agency signs in, creates the Alpine call from the example, edits a
field, publishes, amends the deadline with a reason, reads the version diff and the audit trail; on a call past its
deadline, reads the eligibility overview, opens a consortium-level check and decides it, and finds the decision in
the audit trail merged across the services; the deadline dashboard of an open call reached and its updating
stopped by the keyboard, and seen to update by itself. axe-core finds no WCAG A/AA violation on any of these pages,
in English and in German (at a narrow window too). Screenshots go to tests/browser/screenshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.call_definition.examples import redated
from tests.e2e.test_thin_slice_embedded import submit_when_known, until
from tests.helpers import bearer, live_call_body, partner, proposal_body
from tests.portal.test_portal_browser import (
    browser,
    in_thread,
    looked_at,
    new_page,
    portal_url,
    sign_in,
    tab_to,
    to_main,
)

__all__ = ["browser", "portal_url"]


def agency_page(browser: Any, portal_url: str, url: str, **options: Any) -> Any:
    """A new page (new_page's `options`: locale, width) signed in as the agency, at `url`."""
    page = new_page(browser, **options)
    sign_in(page, portal_url, "agency", "")
    page.goto(url)
    return page


def create_publish_and_amend(
    page: Any, portal_url: str, configure: Callable[[dict[str, Any]], dict[str, Any]], extension: timedelta
) -> str:
    """Signed in as the agency, the call console: a new call from the Alpine example as `configure` changes it
    (its dates, its code), a field edited, published, the deadline extended by `extension` (first without a
    reason: the error at its field). The call's id."""
    sign_in(page, portal_url, "agency", "")
    page.click("nav >> text=Calls")
    looked_at(page, "secretariat-calls")
    page.click("main >> text=New call from the Alpine example")
    configuration = configure(json.loads(page.input_value("#configuration")))
    page.fill("#configuration", json.dumps(configuration, indent=2))
    looked_at(page, "secretariat-new")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text() == "The draft is created."
    looked_at(page, "secretariat-draft")
    call_id = page.url.split("/secretariat/calls/")[1].split("/")[0].split("?")[0]

    page.fill("#title", "Alpine call (browser)")
    page.click("text=Save the draft")
    page.wait_for_load_state()
    assert page.input_value("#title") == "Alpine call (browser)"
    page.click("text=Publish the call")
    page.wait_for_load_state()
    assert "The call is published." in page.locator("[role=status]").inner_text()

    deadline = datetime.fromisoformat(configuration["stages"][-1]["deadline"]) + extension
    page.select_option("#kind", "deadline_extension")
    page.fill("#amend-deadline", deadline.isoformat())
    page.click("main button[type=submit]")  # without a reason: the error at its field
    page.wait_for_load_state()
    assert page.locator("#amend-reason-error").is_visible()
    looked_at(page, "secretariat-amend-error")
    page.fill("#amend-reason", "Server outage on the last day")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    looked_at(page, "secretariat-published")
    return call_id


def test_an_agency_sets_up_publishes_and_amends_the_alpine_call(browser: Any, portal_url: str) -> None:
    page = new_page(browser)

    def tomorrow(example: dict[str, Any]) -> dict[str, Any]:
        return redated(example, datetime.now().astimezone() + timedelta(days=1)) | {"code": "ALP-BROWSER"}

    create_publish_and_amend(page, portal_url, tomorrow, timedelta(days=7))

    page.click("text=Version history")
    page.wait_for_load_state()
    assert "Server outage on the last day" in page.content()
    assert page.locator("code", has_text="deadline").count() >= 1
    looked_at(page, "secretariat-versions")
    versions_url = page.url
    page.click("text=Back to the call")
    page.click("text=Audit trail")
    page.fill("#what", "amended")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "call.amended.deadline_extension" in page.content() and "call.created" not in page.content()
    looked_at(page, "secretariat-audit")

    german = agency_page(browser, portal_url, versions_url, locale="de-DE", width=400)
    assert german.locator("h1").inner_text().startswith("Fassungen der Ausschreibung")
    looked_at(german, "secretariat-versions-de-narrow")
    german.goto(portal_url + "/secretariat/calls")
    looked_at(german, "secretariat-calls-de-narrow")


async def closed_call_with_a_consortium_check(url: str) -> str:
    """A call past its deadline whose proposal has a self-funded partner budgeting in NOK, which the call has no
    conversion rate for: a consortium-level check waits for the agency. The call's id."""
    agency = bearer("agency")
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        body = live_call_body("ALP-ELIG-BROWSER", deadline=timedelta(seconds=3))
        call = (await client.post("/call-definition/calls", json=body, headers=agency)).json()
        await client.post(f"/call-definition/calls/{call['id']}/publish", headers=agency)
        outsider = partner("Fjord AS", "NO-03", currency="NOK", country="NO", requested="0.00")
        draft = proposal_body(*proposal_body()["partners"], outsider, acronym="FJORD")
        proposal = (await submit_when_known(client, call["id"], draft))["proposal_id"]
        await until(client, f"/regional-eligibility/proposals/{proposal}", lambda b: b["status"] == "checking")
        return str(call["id"])


def test_the_agency_decides_a_consortium_level_check_and_reads_the_merged_audit_trail(
    browser: Any, portal_url: str
) -> None:
    call_id = in_thread(closed_call_with_a_consortium_check(portal_url))
    page = agency_page(browser, portal_url, f"{portal_url}/secretariat/calls/{call_id}")
    page.click("main >> text=Eligibility overview")
    page.wait_for_load_state()
    assert page.locator("caption", has_text="Checks per region").is_visible()
    looked_at(page, "secretariat-eligibility")
    waiting = page.locator("main a", has_text="Open and decide check").count()
    assert waiting >= 1
    page.locator("main a", has_text="Open and decide check").first.click()
    page.wait_for_load_state()
    looked_at(page, "secretariat-check")
    page.click("main button[type=submit]")  # without a reason: the error at its field
    page.wait_for_load_state()
    assert page.locator("#reason-error").is_visible()
    looked_at(page, "secretariat-check-error")
    page.select_option("#verdict", "pass")
    page.fill("#reason", "budget shares checked at the rate of the day")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text() == "The check is decided."
    assert page.locator("main a", has_text="Open and decide check").count() == waiting - 1

    page.click("main >> text=Audit trail")
    page.wait_for_load_state()
    page.select_option("#service", "regional_eligibility")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "check.close" in page.content() and "proposal.submitted" not in page.content()
    looked_at(page, "secretariat-audit-merged")

    german = agency_page(
        browser, portal_url, f"{portal_url}/secretariat/calls/{call_id}/eligibility", locale="de-DE", width=400
    )
    assert german.locator("h1").inner_text().startswith("Förderfähigkeit")
    looked_at(german, "secretariat-eligibility-de-narrow")
    german.goto(f"{portal_url}/secretariat/calls/{call_id}/audit")
    assert "proposal.submitted" in german.content()
    looked_at(german, "secretariat-audit-de-narrow")


AGENCY, CONSORTIUM = bearer("agency"), bearer("consortium:acme")


async def open_call_with_proposals(url: str) -> str:
    """An open call with two proposals submitted (one twice) and one refused for breaking consortium rules."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        body = live_call_body("ALP-DASHBOARD", deadline=timedelta(days=1))
        call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
        assert (await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).is_success
        await submitted(client, call["id"], proposal_body(), times=2)
        three = proposal_body(
            partner("Gamma GmbH", "DE-BY", role="coordinator"),
            partner("Delta d.o.o.", "SI"),
            partner("Epsilon SpA", "IT-25"),
            acronym="GAMMA",
        )
        await submitted(client, call["id"], three)
        alone = proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"), acronym="LONE")
        lone = await client.post(f"/proposal-intake/calls/{call['id']}/proposals", json=alone, headers=CONSORTIUM)
        proposal = lone.json()["id"]
        assert (await client.get(f"/proposal-intake/proposals/{proposal}/precheck", headers=CONSORTIUM)).is_success
        refused = await client.post(f"/proposal-intake/proposals/{proposal}/submit", headers=CONSORTIUM)
        assert refused.status_code == 422
        return str(call["id"])


async def submitted(client: httpx.AsyncClient, call_id: str, body: dict[str, Any], times: int = 1) -> None:
    draft = (await client.post(f"/proposal-intake/calls/{call_id}/proposals", json=body, headers=CONSORTIUM)).json()
    for _ in range(times):
        receipt = await client.post(f"/proposal-intake/proposals/{draft['id']}/submit", headers=CONSORTIUM)
        assert receipt.status_code == 201, receipt.text


def test_the_deadline_dashboard_updates_by_itself_and_is_reached_and_stopped_by_keyboard(
    browser: Any, portal_url: str
) -> None:
    call_id = in_thread(open_call_with_proposals(portal_url))
    page = agency_page(browser, portal_url, f"{portal_url}/secretariat/calls/{call_id}")
    to_main(page)
    tab_to(page, "e.textContent", "Deadline dashboard")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")
    assert page.locator("h1").inner_text() == "Deadline dashboard of ALP-DASHBOARD"
    counts = page.locator("#proposals + div table tbody td")
    assert counts.nth(1).inner_text() == "2"  # submitted
    assert page.locator("#by-region + p + table", has_text="IT-25").is_visible()
    assert page.locator("svg.timeline rect.bar.resubmissions").count() == 1
    looked_at(page, "secretariat-dashboard")

    # A third proposal is submitted while the page is open: htmx brings it within its 10 seconds.
    in_thread(submitted_later(portal_url, call_id))
    page.wait_for_function(
        "document.querySelectorAll('#proposals + div table tbody td')[1].textContent === '3'", timeout=25_000
    )
    assert page.locator("h1").count() == 1  # the fragment was swapped in, not a page inside the page
    looked_at(page, "secretariat-dashboard-updated")

    to_main(page)
    tab_to(page, "e.textContent", "Stop updating by itself")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard?live=off")
    assert page.locator("[hx-get]").count() == 0
    assert page.locator("main a", has_text="Update by itself").is_visible()

    german = agency_page(
        browser, portal_url, f"{portal_url}/secretariat/calls/{call_id}/dashboard", locale="de-DE", width=400
    )
    assert german.locator("h1").inner_text() == "Fristen-Dashboard von ALP-DASHBOARD"
    looked_at(german, "secretariat-dashboard-de-narrow")


async def submitted_later(url: str, call_id: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        await submitted(client, call_id, proposal_body(acronym="LATER"))
