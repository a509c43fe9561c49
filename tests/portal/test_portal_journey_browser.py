"""Issue 17's whole story in Debian's Chromium, on one embedded app served as `jointcall up --sandbox` serves it:
the agency creates the Alpine call in the console and extends its deadline; a consortium drafts, sees the live
pre-check name Upper Austria's funding rate broken and by how much, fixes it, uploads the narrative and the letters,
submits and downloads the receipt; a second proposal comes through the API; the sandbox clock passes the deadline;
the demo's phases run through the APIs (the regions' checks, experts, scores, consensus); the agency fixes the
ranking, runs a what-if top-up, decides, publishes and downloads the XLSX, which holds the evaluators' comments;
the consortium then reads its eligibility and its result. Each step is the one its own module tests (imported,
not copied); axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from services.call_definition.examples import redated
from tests.documents_helpers import pdf
from tests.e2e.test_thin_slice_embedded import CONSORTIUM
from tests.helpers import proposal_body
from tests.portal.test_portal_applicant_browser import draft_fix_upload_and_submit
from tests.portal.test_portal_browser import browser, in_thread, looked_at, new_page, served
from tests.portal.test_portal_pages import AGENCY, found_eligible_with_experts
from tests.portal.test_portal_secretariat_browser import create_publish_and_amend
from tests.portal.test_portal_selection import scored_and_agreed
from tests.portal.test_portal_selection_browser import decide_publish_and_download, fix_the_ranking_and_top_up

__all__ = ["browser"]

playwright_api = pytest.importorskip("playwright.sync_api")
EXTENSION = timedelta(days=7)


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded app in sandbox mode: the agency moves its clock past the deadline (the browser fixture's too)."""
    yield from served(tmp_path_factory, sandbox=True)


def open_since_yesterday(example: dict[str, Any]) -> dict[str, Any]:
    """The example open since yesterday (its deadline weeks away), Upper Austria's budget cut to 150,000 EUR so that
    only one of two proposals asking it 100,000 EUR fits (the what-if's top-up then funds the other)."""
    call = redated(example, datetime.now().astimezone() - timedelta(days=1)) | {"code": "ALP-JOURNEY"}
    call["regions"] = [r | {"budget": "150000.00"} if r["code"] == "AT-4" else r for r in call["regions"]]
    return call


async def second_proposal(url: str, call_id: str) -> str:
    """BETA, drafted, its narrative and letters uploaded and submitted through the API by the same consortium."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        draft = await client.post(
            f"/proposal-intake/calls/{call_id}/proposals", json=proposal_body(acronym="BETA"), headers=CONSORTIUM
        )
        assert draft.status_code == 201, draft.text
        proposal_id = str(draft.json()["id"])
        documents = [("narrative", None, pdf(2, text="BETA"))] + [
            ("letter_of_commitment", p["key"], pdf(1, text=p["key"])) for p in draft.json()["draft"]["partners"]
        ]
        for kind, partner, content in documents:
            uploaded = await client.put(
                f"/proposal-intake/proposals/{proposal_id}/documents/{kind}",
                params={"name": f"{kind}.pdf", **({"partner": partner} if partner else {})},
                content=content,
                headers={**CONSORTIUM, "Content-Type": "application/pdf"},
            )
            assert uploaded.status_code == 201, uploaded.text
        submitted = await client.post(f"/proposal-intake/proposals/{proposal_id}/submit", headers=CONSORTIUM)
        assert submitted.status_code == 201, submitted.text
        return proposal_id


async def the_demos_phases(url: str, call_id: str, ids: list[str]) -> None:
    """The deadline passes on the sandbox clock; the regions close their checks, the experts are registered,
    assigned and score (ALPHA above BETA), the consensus is final."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        call = (await client.get(f"/call-definition/calls/{call_id}")).json()
        versions = (await client.get(f"/call-definition/calls/{call_id}/versions")).json()
        assert len(versions) >= 2, versions  # published, then the deadline extended
        past = datetime.fromisoformat(call["deadline"]) + timedelta(minutes=1)
        moved = await client.post("/sandbox/clock", json={"to": past.isoformat()}, headers=AGENCY)
        assert moved.status_code == 200, moved.text
        experts = await found_eligible_with_experts(client, call_id, ids, assign=False)
        await scored_and_agreed(client, call_id, ids, experts)


@pytest.mark.timeout(480)  # three people's pages and a whole call: about 2 minutes on a quiet machine
def test_from_the_call_to_the_published_results_in_the_browser(browser: Any, portal_url: str) -> None:
    agency = new_page(browser)
    call_id = create_publish_and_amend(agency, portal_url, open_since_yesterday, EXTENSION)

    applicant = new_page(browser)
    form_url = draft_fix_upload_and_submit(applicant, portal_url, call_id)
    alpha = form_url.rsplit("/", 1)[-1]
    beta = in_thread(second_proposal(portal_url, call_id))

    in_thread(the_demos_phases(portal_url, call_id, [alpha, beta]))
    agency.goto(f"{portal_url}/selection/calls/{call_id}/evaluation")
    fix_the_ranking_and_top_up(agency, f"{portal_url}/selection/calls/{call_id}")
    decide_publish_and_download(agency, portal_url, call_id)

    applicant.goto(form_url)
    assert "Eligible" in applicant.inner_text("#outcome")
    assert "Funded" in applicant.inner_text("#result")
    looked_at(applicant, "journey-applicant-result")
