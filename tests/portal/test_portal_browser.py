"""The portal in Debian's Chromium (Playwright), end to end on a running embedded app as `jointcall up` serves it:
an evaluator declares no conflict, scores and submits with the keyboard alone; a rapporteur finalises a consensus;
an officer overrides a check with a reason and finds it among the decided checks. axe-core finds no WCAG A/AA
violation on any page, in English and in other languages. Screenshots of every page go to tests/browser/screenshots
(not committed)."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from services.embedded import create_embedded_app
from tests.e2e.test_thin_slice_embedded import submit_when_known, until
from tests.helpers import bearer, live_call_body, migrate_all, proposal_body
from tests.portal.test_portal_pages import in_evaluation, submit_assessments

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).parents[1] / "browser" / "screenshots"
AGENCY = bearer("agency")
T = TypeVar("T")

NEEDS = "needs Debian's chromium (apt-get install chromium) and axe-core (npm ci in tests/browser), as .ci/run installs"


def _browser_missing(what: str) -> None:
    """In CI the browser tests must run: what they need missing fails them; elsewhere they skip, saying why."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} missing: {NEEDS}", pytrace=False)
    pytest.skip(f"{what} missing: {NEEDS}", allow_module_level=True)


try:
    import playwright.sync_api as playwright_api
except ImportError:
    _browser_missing("playwright")
if not CHROMIUM.exists() or not AXE.exists():
    _browser_missing(f"{CHROMIUM} or {AXE.name}")


def in_thread(work: Coroutine[Any, Any, T]) -> T:
    """Runs the scenario's API calls on their own loop: Playwright's sync API owns this thread's."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


@dataclass(frozen=True)
class Scenario:
    evaluation_call: str
    to_score: str  # assigned to the experts, nobody has scored it
    to_agree: str  # every expert has submitted; the consensus is open
    experts: list[str]
    checks_call: str
    checking: str  # a proposal whose checks the officer of AT-4 decides


async def prepare(url: str) -> Scenario:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        call_id, (to_score, to_agree), experts = await in_evaluation(client, "ALP-BROWSE", ("ALPHA", "BETA"))
        await submit_assessments(client, to_agree, experts, ["4", "4.5", "1"])
        body = live_call_body("ALP-CHECKS", deadline=timedelta(seconds=2))
        checks = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
        await client.post(f"/call-definition/calls/{checks['id']}/publish", headers=AGENCY)
        checking = (await submit_when_known(client, checks["id"], proposal_body(acronym="GAMMA")))["proposal_id"]
        await until(client, f"/regional-eligibility/proposals/{checking}", lambda b: b["status"] == "checking")
        return Scenario(call_id, to_score, to_agree, experts, checks["id"], checking)


async def public_address(host: str, port: int) -> list[str]:
    """The webhooks' name resolver: every host is at a globally routable address."""
    return ["93.184.216.34"]


def to_main(page: Any) -> None:
    """From the top of the page to the first control of its main content, by the keyboard: the skip link first."""
    keys = page.keyboard
    keys.press("Tab")  # the skip link comes first on every page
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    keys.press("Enter")
    keys.press("Tab")


def tab_to(page: Any, script: str, expected: str, limit: int = 40) -> None:
    """Tab until `script` (evaluated on the focused element) gives `expected`."""
    for _ in range(limit):
        if page.evaluate(f"(e => {script})(document.activeElement)") == expected:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{expected!r} not reached with Tab")


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from served(tmp_path_factory)


def served(tmp_path_factory: pytest.TempPathFactory, *, sandbox: bool = False) -> Iterator[str]:
    """The embedded app served by uvicorn as `jointcall up` does (with `sandbox`, as `--sandbox` does): its URL."""
    import uvicorn

    data_dir = tmp_path_factory.mktemp("portal")
    asyncio.run(migrate_all(data_dir))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_embedded_app(data_dir, retry_delay_ms=100, sandbox=sandbox)
    app.state.apps["regional_eligibility"].state.webhook_resolver = public_address  # no DNS in the test
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def scenario(portal_url: str) -> Scenario:
    return in_thread(prepare(portal_url))


@pytest.fixture(scope="module")
def browser(portal_url: str) -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def new_page(browser: Any, locale: str = "en-GB", width: int = 1280) -> Any:
    # bypass_csp: axe is injected as a script; the portal's own pages carry no inline script
    context = browser.new_context(bypass_csp=True, locale=locale, viewport={"width": width, "height": 900})
    return context.new_page()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, "
        "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


def looked_at(page: Any, name: str) -> None:
    """A screenshot of the page as it is now, and no accessibility violation on it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def sign_in(page: Any, url: str, role: str, scope: str) -> None:
    page.goto(url + "/sign-in")
    page.select_option("#role", role)
    page.fill("#scope", scope)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("path", ["/", "/sign-in", "/accessibility"])
def test_every_public_page_has_no_accessibility_violation(browser: Any, portal_url: str, path: str) -> None:
    page = new_page(browser)
    page.goto(portal_url + path)
    looked_at(page, path.strip("/") or "home")
    page.context.close()


def test_an_evaluator_declares_no_conflict_scores_and_submits_with_the_keyboard_alone(
    browser: Any, portal_url: str, scenario: Scenario
) -> None:
    page = new_page(browser)
    keys = page.keyboard

    page.goto(portal_url + "/sign-in")
    to_main(page)
    assert page.evaluate("document.activeElement.id") == "role"  # evaluator is the first role
    keys.press("Tab")
    keys.type(scenario.experts[0])
    keys.press("Enter")
    page.wait_for_url(portal_url + "/evaluator")
    looked_at(page, "evaluator-assignments")

    to_main(page)
    while page.evaluate("document.activeElement.getAttribute('href')") != f"/evaluator/proposals/{scenario.to_score}":
        keys.press("Tab")
    keys.press("Enter")
    page.wait_for_url(re.compile(f"/evaluator/proposals/{scenario.to_score}$"))
    assert page.inner_text("h1") == "Conflict of interest"
    looked_at(page, "evaluator-conflict")
    to_main(page)
    assert page.evaluate("document.activeElement.textContent") == "I have no conflict of interest"
    keys.press("Enter")
    page.wait_for_selector("text=Save as draft")
    looked_at(page, "evaluator-scoring")

    to_main(page)
    while page.evaluate("document.activeElement.tagName") != "SELECT":
        keys.press("Tab")
    for _criterion in range(3):  # each criterion: a score (typed to the option), then its justification
        assert page.evaluate("document.activeElement.id").startswith("score_")
        keys.type("4")
        keys.press("Tab")
        keys.type("A coherent plan with a credible team.")
        keys.press("Tab")
    page.wait_for_function(  # the running total, announced by its live region, now counts every criterion
        "!document.querySelector('#running-total').textContent.includes('not every criterion')"
    )
    assert page.evaluate("document.activeElement.textContent") == "Save as draft"
    keys.press("Tab")
    keys.press("Enter")  # Review and submit
    page.wait_for_url(re.compile(f"/evaluator/proposals/{scenario.to_score}/submit$"))
    assert "you cannot change it" in page.inner_text("main") and "A coherent plan" in page.inner_text("main")
    looked_at(page, "evaluator-confirm")
    to_main(page)
    tab_to(page, "e.textContent", "Submit the assessment")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/evaluator\?submitted="))
    assert "Your assessment was submitted." in page.inner_text("main")
    looked_at(page, "evaluator-submitted")
    page.context.close()
    mine = httpx.get(
        f"{portal_url}/joint-evaluation/proposals/{scenario.to_score}/assessment",
        headers=bearer(f"evaluator:{scenario.experts[0]}"),
    )
    assert mine.json()["status"] == "submitted"


def test_a_rapporteur_finalises_the_consensus(browser: Any, portal_url: str, scenario: Scenario) -> None:
    page = new_page(browser)
    sign_in(page, portal_url, "agency", "")
    assert page.url == portal_url + "/rapporteur"
    page.get_by_role("link", name="ALP-BROWSE").click()  # the calls, by code
    looked_at(page, "rapporteur-proposals")
    page.click(f"a[href='/rapporteur/proposals/{scenario.to_agree}']")
    first = page.locator("tbody tr").first
    assert "outlier" in first.inner_text() and "Divergent" in first.inner_text()
    looked_at(page, "rapporteur-consensus")
    page.select_option("#consensus_excellence", "3.5")
    page.fill("#consensus_justification_excellence", "The panel weighed the low score and agreed on 3.5.")
    page.check("#confirm_final")
    page.click("button[value=finalise]")
    page.wait_for_selector("text=The consensus is final.")
    assert "agreed on 3.5" in page.inner_text("main")
    looked_at(page, "rapporteur-final")
    page.context.close()


def test_an_officer_overrides_a_check_with_a_reason_and_finds_it_among_the_decided(
    browser: Any, portal_url: str, scenario: Scenario
) -> None:
    page = new_page(browser)
    sign_in(page, portal_url, "region", "AT-4")
    assert page.url == portal_url + "/officer/checks"
    looked_at(page, "officer-checks")
    page.select_option("#filter-status", "decided")
    page.select_option("#filter-verdict", "pass")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile("status=decided"))
    row = page.locator("tbody tr", has_text=scenario.checking[:8]).first  # an automatic pass of GAMMA's
    row.locator("input[type=checkbox]").check()
    page.select_option("#action", "override")
    page.select_option("#verdict", "fail")
    page.fill("#reason", "The register shows the firm is not an SME since 2026.")
    page.get_by_role("button", name="Decide", exact=True).click()
    page.wait_for_load_state()
    assert "1 check decided." in page.inner_text("main"), page.inner_text("main")
    decided = page.locator("tbody tr", has_text="not an SME since 2026").first
    assert "region:AT-4" in decided.inner_text() and "automatic: pass" in decided.inner_text()
    looked_at(page, "officer-decided")
    decided.get_by_role("link").click()  # the check's own page: its decision history, from the audit trail
    history = page.locator("table", has_text="When").inner_text()
    assert "region:AT-4" in history and "overrode" in history and "not an SME since 2026" in history
    looked_at(page, "officer-check")
    page.goto(portal_url + "/officer/overview")
    assert "GAMMA" in page.inner_text("main")
    looked_at(page, "officer-overview")
    page.context.close()


@pytest.mark.parametrize("locale", ["de-DE", "sl-SI"])
def test_the_pages_in_other_languages_have_no_accessibility_violation(
    browser: Any, portal_url: str, scenario: Scenario, locale: str
) -> None:
    language = locale[:2]
    page = new_page(browser, locale=locale)
    page.goto(portal_url + "/")
    assert page.get_attribute("html", "lang") == language
    looked_at(page, f"home-{language}")
    sign_in(page, portal_url, "region", "AT-4")
    looked_at(page, f"officer-checks-{language}")
    page.goto(portal_url + "/officer/overview")
    looked_at(page, f"officer-overview-{language}")
    page.goto(portal_url + "/officer/webhooks")
    looked_at(page, f"officer-webhooks-{language}")
    sign_in(page, portal_url, "agency", "")
    page.goto(f"{portal_url}/rapporteur/proposals/{scenario.to_agree}")
    looked_at(page, f"rapporteur-consensus-{language}")
    page.context.close()


def test_the_language_switch_is_remembered_and_works_at_a_narrow_width(
    browser: Any, portal_url: str, scenario: Scenario
) -> None:
    page = new_page(browser, width=390)
    sign_in(page, portal_url, "evaluator", scenario.experts[1])
    page.click("a[hreflang=it]")
    assert page.get_attribute("html", "lang") == "it" and page.url == portal_url + "/evaluator"
    assert "I miei incarichi" in page.inner_text("h1")
    looked_at(page, "evaluator-assignments-it-narrow")
    page.goto(f"{portal_url}/evaluator/proposals/{scenario.to_score}")
    assert page.get_attribute("html", "lang") == "it"  # remembered in the session
    looked_at(page, "evaluator-conflict-it-narrow")
    page.context.close()


def test_an_officer_adds_a_webhook_subscription_with_the_keyboard_alone_then_deletes_it(
    browser: Any, portal_url: str
) -> None:
    page = new_page(browser)
    keys = page.keyboard
    sign_in(page, portal_url, "region", "AT-4")
    page.goto(portal_url + "/officer/webhooks")
    looked_at(page, "officer-webhooks")
    to_main(page)
    tab_to(page, "e.id", "url")
    keys.type("http://hooks.example.org/jointcall")  # plain http: the API refuses it
    keys.press("Enter")
    page.wait_for_selector("#url-error")
    assert page.locator("#url").input_value() == "http://hooks.example.org/jointcall"  # kept as typed
    looked_at(page, "officer-webhooks-refused")
    to_main(page)
    tab_to(page, "e.getAttribute('href')", "#url")  # the error summary links to the field
    keys.press("Enter")
    assert page.evaluate("document.activeElement.id") == "url"
    keys.press("Control+A")
    keys.type("https://hooks.example.org/jointcall")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/officer/webhooks/[0-9a-f-]{36}\?added=1$"))
    main = page.inner_text("main")
    assert "it is not shown again" in main and "Nothing was sent yet." in main
    looked_at(page, "officer-webhook")
    to_main(page)
    tab_to(page, "e.textContent", "Delete the subscription")
    keys.press("Enter")
    page.wait_for_url(re.compile("/delete$"))
    looked_at(page, "officer-webhook-delete")
    to_main(page)
    tab_to(page, "e.textContent", "Yes, delete the subscription")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/officer/webhooks\?deleted=1$"))
    assert "No subscriptions yet." in page.inner_text("main")
    page.context.close()
