"""The portal in Debian's Chromium (Playwright): axe-core finds no WCAG A/AA violation on the pages, and a person
signs in with the keyboard alone. Screenshots go to tests/browser/screenshots (not committed)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.embedded import create_embedded_app
from services.registry import SERVICES
from tests.helpers import migrate_in_thread

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).parents[1] / "browser" / "screenshots"

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


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    data_dir = tmp_path_factory.mktemp("portal")
    for definition in SERVICES.values():
        asyncio.run(migrate_in_thread(definition, definition.settings_class(data_dir=data_dir).database_url))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_embedded_app(data_dir), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(portal_url: str) -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, "
        "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]


@pytest.mark.parametrize("path", ["/", "/sign-in", "/accessibility"])
def test_every_public_page_has_no_accessibility_violation(browser: Any, portal_url: str, path: str) -> None:
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script; the portal's own pages are not
    page = context.new_page()
    page.goto(portal_url + path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path.strip('/') or 'home'}.png"), full_page=True)
    assert axe_violations(page) == []
    context.close()


def test_an_officer_signs_in_with_the_keyboard_alone_and_the_queue_has_no_violation(
    browser: Any, portal_url: str
) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(portal_url + "/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from the main content to the first field
    page.keyboard.press("ArrowDown")  # evaluator -> region
    page.keyboard.press("Tab")
    page.keyboard.type("AT-4")
    page.keyboard.press("Enter")
    page.wait_for_url(portal_url + "/officer/checks")
    assert "region:AT-4" in page.inner_text("header")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "officer-checks.png"), full_page=True)
    assert axe_violations(page) == []
    context.close()
