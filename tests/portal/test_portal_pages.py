"""The portal on the embedded default: an officer decides checks, an evaluator declares no conflict, scores and
submits, all through the pages (forms with their CSRF token), the portal calling the services' public APIs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from services.embedded import create_embedded_app
from services.regional_eligibility.models import WebhookSubscription
from tests.e2e.test_thin_slice_embedded import close_open_items, submit_when_known, until
from tests.helpers import bearer, embedded_client, live_call_body, migrate_all, proposal_body

AGENCY = bearer("agency")


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with embedded_client(tmp_path) as client:
        yield client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, role: str, scope: str) -> None:
    page = await client.get("/sign-in")
    assert "Development only" in page.text
    signed = await client.post(
        "/sign-in", data={"csrf_token": csrf_of(page.text), "role": role, "scope": scope}, follow_redirects=True
    )
    assert signed.status_code == 200, signed.text
    assert f"{role}:{scope}".rstrip(":") in signed.text


async def test_the_portal_opens_with_a_strict_policy_and_refuses_a_form_without_its_token(
    embedded: httpx.AsyncClient,
) -> None:
    home = await embedded.get("/")
    assert home.status_code == 200
    policy = home.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in home.text and "style=" not in home.text
    cookie = home.headers.get("set-cookie", "")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    refused = await embedded.post("/sign-in", data={"role": "agency", "scope": ""})
    assert refused.status_code == 403


async def test_a_wrong_scope_is_shown_at_its_field(embedded: httpx.AsyncClient) -> None:
    page = await embedded.get("/sign-in")
    answer = await embedded.post("/sign-in", data={"csrf_token": csrf_of(page.text), "role": "region", "scope": ""})
    assert answer.status_code == 422
    assert 'id="scope-error"' in answer.text and 'href="#scope"' in answer.text


async def test_an_officer_overrides_and_an_evaluator_scores_and_submits(embedded: httpx.AsyncClient) -> None:
    body = live_call_body("ALP-PORTAL", deadline=timedelta(seconds=3))
    call = (await embedded.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await embedded.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200
    receipt = await submit_when_known(embedded, call["id"], proposal_body())
    proposal_id = receipt["proposal_id"]
    await until(embedded, f"/regional-eligibility/proposals/{proposal_id}", lambda b: b["status"] == "checking")

    # The officer of AT-4 decides all open checks in one batch through the queue page, with a reason.
    await sign_in(embedded, "region", "AT-4")
    queue = await embedded.get("/officer/checks")
    ids = re.findall(r'name="check_id" value="(\d+)"', queue.text)
    assert ids, queue.text
    missing_reason = await embedded.post(
        "/officer/checks/decisions",
        data={"csrf_token": csrf_of(queue.text), "check_id": ids, "action": "close", "verdict": "pass", "reason": ""},
    )
    assert missing_reason.status_code == 422
    assert 'id="reason-error"' in missing_reason.text
    decided = await embedded.post(
        "/officer/checks/decisions",
        data={
            "csrf_token": csrf_of(queue.text),
            "check_id": ids,
            "action": "close",
            "verdict": "pass",
            "reason": "declaration read in the portal",
        },
        follow_redirects=True,
    )
    assert decided.status_code == 200
    assert (f"{len(ids)} checks decided" if len(ids) > 1 else "1 check decided") in decided.text
    assert "declaration read in the portal" in decided.text  # who decided, and why, as the service records it
    check = await embedded.get(f"/officer/checks/{ids[0]}")  # the check's own page, its history from the audit
    assert check.status_code == 200, check.text
    assert "Manual check" in check.text and "Alpha GmbH" in check.text  # the rule in words, the partner's data
    assert "200,000.00" in check.text and "50.0 % of the costs" in check.text  # the numbers as submitted
    history = check.text.split("Decision history")[1]
    assert "region:AT-4" in history and "closed" in history and "declaration read in the portal" in history
    assert (await embedded.get("/officer/checks/999999")).status_code == 404
    for region in ("CH-FR",):
        await close_open_items(embedded, bearer(f"region:{region}"))
    await until(embedded, f"/joint-evaluation/proposals/{proposal_id}", lambda b: b["status"] == "awaiting_evaluation")

    evaluators = []
    for number in range(3):
        expert = {
            "name": f"Expert {number}",
            "email": f"expert{number}@example.org",
            "organisation": f"Institute {number}",
            "country": ["FR", "IT", "SI"][number],
            "expertise": [],
            "max_load": 5,
        }
        registered = await embedded.post(
            f"/joint-evaluation/calls/{call['id']}/evaluators", json=expert, headers=AGENCY
        )
        assert registered.status_code == 201, registered.text
        evaluators.append(registered.json()["evaluator"]["id"])
    assigned = await embedded.post(f"/joint-evaluation/calls/{call['id']}/assignment", headers=AGENCY)
    assert assigned.status_code in (200, 201), assigned.text

    await sign_in(embedded, "evaluator", evaluators[0])
    mine = await embedded.get("/evaluator")
    assert "ALPHA" in mine.text and "Not started" in mine.text
    gate = await embedded.get(f"/evaluator/proposals/{proposal_id}")
    assert "conflict of interest" in gate.text.lower()
    opened = await embedded.post(
        f"/evaluator/proposals/{proposal_id}/conflict",
        data={"csrf_token": csrf_of(gate.text), "conflict": "none"},
        follow_redirects=True,
    )
    assert "Save as draft" in opened.text
    token = csrf_of(opened.text)
    criteria = re.findall(r'name="score_([a-z_]+)"', opened.text)
    assert criteria
    total = await embedded.post(
        f"/evaluator/proposals/{proposal_id}/total",
        data={"csrf_token": token, **{f"score_{key}": "4" for key in criteria}},
    )
    assert "Weighted total" in total.text and "<html" not in total.text

    other = bearer(f"evaluator:{evaluators[1]}")  # another expert has scored and submitted already
    body = {
        "scores": {key: "2" for key in criteria},
        "justifications": {key: "The other expert's confidential view." for key in criteria},
    }
    assert (
        await embedded.put(f"/joint-evaluation/proposals/{proposal_id}/assessment", json=body, headers=other)
    ).is_success
    assert (
        await embedded.post(f"/joint-evaluation/proposals/{proposal_id}/assessment/submit", headers=other)
    ).is_success
    assert "confidential view" not in (await embedded.get(f"/evaluator/proposals/{proposal_id}")).text

    scores = {f"score_{key}": "4" for key in criteria}
    justifications = {f"justification_{key}": "Convincing work plan and a credible team." for key in criteria}
    partial = {**scores, f"score_{criteria[0]}": ""}
    review = await embedded.post(
        f"/evaluator/proposals/{proposal_id}/assessment",
        data={"csrf_token": token, "action": "submit", **partial},
    )
    assert review.status_code == 303 and review.headers["location"] == f"/evaluator/proposals/{proposal_id}/submit"
    check = await embedded.get(review.headers["location"])  # what will be submitted, before it is
    assert "Not scored" in check.text and "you cannot change it" in check.text and "Weighted total" in check.text
    draft = await embedded.get(
        f"/joint-evaluation/proposals/{proposal_id}/assessment", headers=bearer(f"evaluator:{evaluators[0]}")
    )
    assert draft.json()["status"] == "draft"  # nothing submitted yet
    incomplete = await embedded.post(f"/evaluator/proposals/{proposal_id}/submit", data={"csrf_token": token})
    assert incomplete.status_code == 422
    assert "There is a problem" in incomplete.text
    assert 'value="4" selected' in incomplete.text  # what the evaluator chose is kept

    reviewed = await embedded.post(
        f"/evaluator/proposals/{proposal_id}/assessment",
        data={"csrf_token": token, "action": "submit", **scores, **justifications},
        follow_redirects=True,
    )
    assert "Submit your assessment of ALPHA?" in reviewed.text
    assert "Convincing work plan" in reviewed.text and "Every scored criterion meets its threshold" in reviewed.text
    submitted = await embedded.post(
        f"/evaluator/proposals/{proposal_id}/submit", data={"csrf_token": token}, follow_redirects=True
    )
    assert submitted.status_code == 200, submitted.text
    assert "Your assessment was submitted" in submitted.text and "Submitted" in submitted.text
    after = await embedded.get(f"/evaluator/proposals/{proposal_id}")
    assert "Submitted" in after.text and "confidential view" not in after.text  # hidden until the consensus is final
    late = await embedded.get(f"/evaluator/proposals/{proposal_id}/submit", follow_redirects=False)
    assert late.status_code == 303  # nothing left to confirm
    own = await embedded.get(
        f"/joint-evaluation/proposals/{proposal_id}/assessment", headers=bearer(f"evaluator:{evaluators[0]}")
    )
    assert own.json()["status"] == "submitted"


async def test_the_page_is_in_the_browsers_language_until_the_switch_chooses_another(
    embedded: httpx.AsyncClient,
) -> None:
    german = await embedded.get("/accessibility", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in german.text and "Erklärung zur Barrierefreiheit" in german.text
    assert german.headers["content-language"] == "de"
    switched = await embedded.get("/language/sl?back=/accessibility", headers={"Accept-Language": "de"})
    assert switched.status_code == 303 and switched.headers["location"] == "/accessibility"
    slovenian = await embedded.get("/accessibility", headers={"Accept-Language": "de"})
    assert '<html lang="sl">' in slovenian.text and "Izjava o dostopnosti" in slovenian.text
    assert 'lang="de" hreflang="de"' in slovenian.text and 'aria-current="true">Slovenščina' in slovenian.text
    elsewhere = await embedded.get("/language/fr?back=//evil.example/")
    assert elsewhere.headers["location"] == "/"  # the switch never sends anyone off the site


async def in_evaluation(
    client: httpx.AsyncClient, code: str, acronyms: tuple[str, ...] = ("ALPHA",)
) -> tuple[str, list[str], list[str]]:
    """A call with eligible proposals, each assigned to the same three experts: (call id, proposal ids, experts)."""
    body = live_call_body(code, deadline=timedelta(seconds=4 + 3 * len(acronyms)))  # room on a loaded machine
    return await eligible_with_experts(client, body, acronyms, assign=True)


async def eligible_with_experts(
    client: httpx.AsyncClient, body: dict[str, Any], acronyms: tuple[str, ...], *, assign: bool
) -> tuple[str, list[str], list[str]]:
    """The call `body` published, the proposals submitted and found eligible by both regions, three experts
    registered (and, with `assign`, assigned): (call id, proposal ids, experts)."""
    call = (await client.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    await client.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)
    ids = [
        (await submit_when_known(client, call["id"], proposal_body(acronym=acronym)))["proposal_id"]
        for acronym in acronyms
    ]
    return call["id"], ids, await found_eligible_with_experts(client, call["id"], ids, assign=assign)


async def found_eligible_with_experts(
    client: httpx.AsyncClient, call_id: str, ids: list[str], *, assign: bool
) -> list[str]:
    """After the call's deadline: the proposals `ids` (each of an Upper Austrian and a Fribourg partner) found
    eligible once both regions closed their manual items, three experts registered (and, with `assign`,
    assigned): the experts' ids."""
    for proposal_id in ids:
        await until(client, f"/regional-eligibility/proposals/{proposal_id}", lambda b: b["status"] == "checking")
    for region in ("AT-4", "CH-FR"):
        await close_open_items(client, bearer(f"region:{region}"))
    for proposal_id in ids:
        await until(
            client, f"/joint-evaluation/proposals/{proposal_id}", lambda b: b["status"] == "awaiting_evaluation"
        )
    experts = []
    for number, country in enumerate(["FR", "IT", "SI"]):
        expert = {
            "name": f"Expert {number}",
            "email": f"expert{number}@example.org",
            "organisation": f"Institute {number}",
            "country": country,
            "expertise": [],
            "max_load": 5,
        }
        registered = await client.post(f"/joint-evaluation/calls/{call_id}/evaluators", json=expert, headers=AGENCY)
        experts.append(registered.json()["evaluator"]["id"])
    if assign:
        await client.post(f"/joint-evaluation/calls/{call_id}/assignment", headers=AGENCY)
    return experts


async def test_the_rapporteur_sees_the_assessments_side_by_side_flags_the_outlier_and_finalises(
    embedded: httpx.AsyncClient,
) -> None:
    _, (proposal_id,), experts = await in_evaluation(embedded, "ALP-CONSENSUS")
    first = live_call_body("X")["evaluation"]["criteria"][0]["key"]
    await submit_assessments(embedded, proposal_id, experts, ["4", "4.5", "1"])  # the first criterion 3.5 apart

    await sign_in(embedded, "agency", "")
    listing = await embedded.get("/rapporteur")
    assert f"/rapporteur/proposals/{proposal_id}" in listing.text and "in evaluation" in listing.text
    page = await embedded.get(f"/rapporteur/proposals/{proposal_id}")
    assert page.status_code == 200
    assert all(f"Expert {n}" in page.text for n in range(3))  # side by side, by name
    row = page.text.split('<th scope="row">')[1].split("</tr>")[0]  # the first criterion's row
    assert row.count("outlier") == 1 and "1 <span" in row  # the 1 lies farthest from the others
    assert "3.5" in row and "Divergent: discuss" in row  # the spread, in words and colour
    assert "Reasoned view 4.5 on" in page.text  # their justifications, to read

    token = csrf_of(page.text)
    unconfirmed = await embedded.post(
        f"/rapporteur/proposals/{proposal_id}/consensus", data={"csrf_token": token, "action": "finalise"}
    )
    assert unconfirmed.status_code == 422 and 'href="#confirm_final"' in unconfirmed.text
    no_reason = await embedded.post(
        f"/rapporteur/proposals/{proposal_id}/consensus",
        data={"csrf_token": token, "action": "save", f"consensus_{first}": "3.5"},
    )
    assert no_reason.status_code == 422, no_reason.text
    assert f'id="consensus_justification_{first}-error"' in no_reason.text
    assert 'value="3.5" selected' in no_reason.text  # what the rapporteur chose is kept
    final = await embedded.post(
        f"/rapporteur/proposals/{proposal_id}/consensus",
        data={
            "csrf_token": token,
            "action": "finalise",
            "confirm_final": "yes",
            f"consensus_{first}": "3.5",
            f"consensus_justification_{first}": "The panel discussed the low score and agreed on 3.5.",
        },
        follow_redirects=True,
    )
    assert final.status_code == 200, final.text
    assert "The consensus is final." in final.text and "agreed on 3.5" in final.text
    state = (await embedded.get(f"/joint-evaluation/proposals/{proposal_id}", headers=AGENCY)).json()
    assert state["consensus"]["final"] is True
    assert next(c for c in state["consensus"]["criteria"] if c["criterion_key"] == first)["score"] == "3.5"


async def submit_assessments(client: httpx.AsyncClient, proposal_id: str, experts: list[str], first: list[str]) -> None:
    """Each expert scores 4 everywhere but the first criterion (`first`, one score each), and submits."""
    criteria = [c["key"] for c in live_call_body("X")["evaluation"]["criteria"]]
    for expert, score in zip(experts, first, strict=True):
        token = bearer(f"evaluator:{expert}")
        body = {
            "scores": {key: score if key == criteria[0] else "4" for key in criteria},
            "justifications": {key: f"Reasoned view {score} on {key}." for key in criteria},
        }
        saved = await client.put(f"/joint-evaluation/proposals/{proposal_id}/assessment", json=body, headers=token)
        assert saved.status_code == 200, saved.text
        submitted = await client.post(f"/joint-evaluation/proposals/{proposal_id}/assessment/submit", headers=token)
        assert submitted.status_code == 200, submitted.text


async def test_the_officer_sees_the_regions_proposals_and_confirms_its_part_of_the_funding(
    embedded: httpx.AsyncClient,
) -> None:
    call_id, (proposal_id,), experts = await in_evaluation(embedded, "ALP-OVERVIEW")
    await sign_in(embedded, "region", "AT-4")
    before = await embedded.get("/officer/overview")
    assert before.status_code == 200
    assert "ALPHA" in before.text and "eligible" in before.text and "The funding is not decided yet." in before.text
    assert "100,000.00" in before.text  # the region's partner with its request, its currency shown

    await submit_assessments(embedded, proposal_id, experts, ["4", "4", "4"])
    finalised = await embedded.post(f"/joint-evaluation/proposals/{proposal_id}/consensus/finalise", headers=AGENCY)
    assert finalised.status_code == 200, finalised.text
    assert (await embedded.post(f"/joint-evaluation/calls/{call_id}/ranking/complete", headers=AGENCY)).is_success
    assert (await embedded.post(f"/joint-evaluation/calls/{call_id}/funding", headers=AGENCY)).is_success

    german = await embedded.get("/officer/overview", headers={"Accept-Language": "de"})
    assert "gefördert" in german.text and "100.000,00\xa0€" in german.text  # the decision, money the German way
    decisions = await embedded.get("/officer/overview")
    assert "Funding decisions to confirm" in decisions.text and "funded" in decisions.text
    no_reason = await embedded.post(
        f"/officer/calls/{call_id}/confirmation",
        data={"csrf_token": csrf_of(decisions.text), "decision": "decline", "proposal_id": proposal_id, "reason": ""},
    )
    assert no_reason.status_code == 422 and f'id="reason-{call_id}-error"' in no_reason.text
    version = re.search(r'name="funding_version" value="(\d+)"', decisions.text)
    assert version
    confirmed = await embedded.post(
        f"/officer/calls/{call_id}/confirmation",
        data={"csrf_token": csrf_of(decisions.text), "decision": "confirm", "funding_version": version.group(1)},
        follow_redirects=True,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "part of the funding decisions is confirmed" in confirmed.text and "Confirmed on" in confirmed.text
    funding = (await embedded.get(f"/joint-evaluation/calls/{call_id}/funding", headers=bearer("region:AT-4"))).json()
    assert funding["confirmations"][0]["confirmed"] is True


def answering(*addresses: str) -> Any:
    """The webhooks' name resolver, answering these addresses for any host (no DNS in tests)."""

    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses) if host != "internal.example.org" else ["10.1.2.3"]

    return resolve


async def test_an_officer_adds_resumes_and_deletes_a_webhook_subscription_and_reads_its_delivery_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("JOINTCALL_WEBHOOKS_ALLOW_HTTP", "JOINTCALL_WEBHOOKS_ALLOW_LIST"):
        monkeypatch.delenv(name, raising=False)  # the production rules: https only, no allow-list
    await migrate_all(tmp_path)
    app = create_embedded_app(tmp_path, retry_delay_ms=100)
    eligibility = app.state.apps["regional_eligibility"]
    eligibility.state.webhook_resolver = answering("93.184.216.34")
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://jc") as client:
        await sign_in(client, "region", "AT-4")
        listing = await client.get("/officer/webhooks")
        assert listing.status_code == 200 and "No subscriptions yet." in listing.text
        assert 'href="/officer/webhooks"' in listing.text  # in the officer's navigation
        token = csrf_of(listing.text)
        secret = re.search(r'id="secret" name="secret" type="text" size="50" value="([^"]+)"', listing.text)
        assert secret and len(secret.group(1)) >= 16  # a random secret suggested

        for refused in (
            "http://hooks.example.org/jc",
            "https://user:pw@hooks.example.org/jc",
            "https://internal.example.org/jc",
        ):
            answer = await client.post(
                "/officer/webhooks", data={"csrf_token": token, "url": refused, "secret": secret.group(1)}
            )
            assert answer.status_code == 422, (refused, answer.text)
            assert 'id="url-error"' in answer.text and 'href="#url"' in answer.text
            assert f'value="{refused}"' in answer.text  # what the officer typed is kept
        short = await client.post(
            "/officer/webhooks", data={"csrf_token": token, "url": "https://hooks.example.org/jc", "secret": "short"}
        )
        assert short.status_code == 422 and 'id="secret-error"' in short.text

        added = await client.post(
            "/officer/webhooks",
            data={"csrf_token": token, "url": "https://hooks.example.org/jc", "secret": secret.group(1)},
        )
        assert added.status_code == 303, added.text
        page = await client.get(added.headers["location"])
        assert "The subscription was added." in page.text and secret.group(1) in page.text  # shown once
        assert "active" in page.text and "Nothing was sent yet." in page.text and "Resume" not in page.text
        again = await client.get(added.headers["location"].split("?")[0])
        assert secret.group(1) not in again.text  # not shown again
        subscription_id = added.headers["location"].split("/")[-1].split("?")[0]
        assert "https://hooks.example.org/jc" in (await client.get("/officer/webhooks")).text
        other = httpx.AsyncClient(transport=transport, base_url="http://jc")
        await sign_in(other, "region", "CH-FR")
        assert (await other.get(f"/officer/webhooks/{subscription_id}")).status_code == 404  # another region's
        await other.aclose()

        async with eligibility.state.runtime.sessions() as session, session.begin():  # the circuit opened
            await session.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id == subscription_id)
                .values(status="suspended", consecutive_failures=10, suspended_at=datetime.now(UTC))
            )
        suspended = await client.get(f"/officer/webhooks/{subscription_id}")
        assert "suspended" in suspended.text and "Resume the subscription" in suspended.text
        resumed = await client.post(
            f"/officer/webhooks/{subscription_id}/resume",
            data={"csrf_token": csrf_of(suspended.text)},
            follow_redirects=True,
        )
        assert "The subscription was resumed" in resumed.text and "Resume the subscription" not in resumed.text

        confirm = await client.get(f"/officer/webhooks/{subscription_id}/delete")
        assert "cannot be undone" in confirm.text and "https://hooks.example.org/jc" in confirm.text
        still = await client.get(f"/regional-eligibility/webhooks/{subscription_id}", headers=bearer("region:AT-4"))
        assert still.json()["status"] == "active"  # asking is not deleting
        deleted = await client.post(
            f"/officer/webhooks/{subscription_id}/delete",
            data={"csrf_token": csrf_of(confirm.text)},
            follow_redirects=True,
        )
        assert "The subscription was deleted" in deleted.text and "No subscriptions yet." in deleted.text
        gone = await client.get(f"/regional-eligibility/webhooks/{subscription_id}", headers=bearer("region:AT-4"))
        assert gone.json()["status"] == "deleted"


async def test_an_officer_reads_a_checks_documents_through_the_portal(embedded: httpx.AsyncClient) -> None:
    from tests.documents_helpers import pdf

    consortium = bearer("consortium:acme")
    body = live_call_body("ALP-DOCS", deadline=timedelta(seconds=3))
    narrative = {
        "key": "narrative",
        "name": "Project narrative",
        "per": "proposal",
        "max_bytes": 1_000_000,
        "max_pages": 10,
        "readable_by": ["evaluators", "regions"],
    }
    body["documents"] = [narrative]
    call = (await embedded.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await embedded.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200
    draft = await embedded.post(
        f"/proposal-intake/calls/{call['id']}/proposals", json=proposal_body(), headers=consortium
    )
    assert draft.status_code == 201, draft.text  # read-your-writes: proposal_intake reads a call just published
    proposal_id = draft.json()["id"]
    content = pdf(2, text="Work plan")
    uploaded = await embedded.put(
        f"/proposal-intake/proposals/{proposal_id}/documents/narrative",
        params={"name": "narrative.pdf"},
        content=content,
        headers={**consortium, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    submitted = await embedded.post(f"/proposal-intake/proposals/{proposal_id}/submit", headers=consortium)
    assert submitted.status_code == 201, submitted.text
    await until(embedded, f"/regional-eligibility/proposals/{proposal_id}", lambda b: b["status"] == "checking")

    await sign_in(embedded, "region", "AT-4")
    queue = await embedded.get("/officer/checks", params={"status": ""})
    check_id = re.findall(r'href="/officer/checks/(\d+)"', queue.text)[0]
    page = await embedded.get(f"/officer/checks/{check_id}")
    link = re.search(r'href="(/officer/proposals/[^"]+/documents/narrative[^"]*)">narrative.pdf', page.text)
    assert link, page.text
    download = await embedded.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200 and download.content == content
    assert "attachment" in download.headers["content-disposition"] and "no-store" in download.headers["cache-control"]
    missing = await embedded.get(f"/officer/proposals/{proposal_id}/documents/budget_annex")
    assert missing.status_code == 404
