"""The secretariat's call console on the embedded default: an agency creates the Alpine call from the example,
sees an API validation error at its group, edits and publishes it, amends the deadline with a reason and reads
what changed between the versions; the eligibility overview per region with a consortium-level check decided
by the agency and what is overdue past the regions' deadline; the call's audit trail merged across the services,
filtered and paged; and the version diff, the eligibility table and the trail's merge on their own."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.portal.audit_merge import Fetched, decode_state, encode_state, merge
from services.portal.call_diff import ABSENT, Change, diff
from services.portal.dashboard_chart import nice_ceiling, timeline_chart
from services.portal.pages import secretariat
from services.portal.pages.dashboard import shown_rows, tick_label
from services.portal.pages.secretariat import configuration_of, eligibility_rows, field_of, filtered_audit, form_values
from shared.clock import ShiftedClock
from tests.e2e.test_thin_slice_embedded import submit_when_known, until
from tests.helpers import bearer, embedded_client, live_call_body, partner, proposal_body
from tests.portal.test_portal_applicant import text_of
from tests.portal.test_portal_pages import csrf_of, embedded, sign_in

CONSORTIUM = bearer("consortium:acme")

AGENCY = bearer("agency")

__all__ = ["embedded"]


def test_the_diff_lists_each_changed_path_with_old_and_new_values() -> None:
    old = {"title": "A", "regions": [{"code": "AT-4", "budget": 10}], "stages": [{"deadline": "d1"}]}
    new = {
        "title": "B",
        "regions": [{"code": "AT-4", "budget": 15}, {"code": "SI"}],
        "topics": ["x"],
        "stages": [{"deadline": "d1"}],
    }
    assert diff(old, new) == [
        Change("title", "A", "B"),
        Change("regions[0].budget", "10", "15"),
        Change("regions[1]", ABSENT, '{"code": "SI"}'),
        Change("topics", ABSENT, '["x"]'),
    ]
    assert diff(new, new) == []
    assert diff({"a": 1}, {}) == [Change("a", "1", ABSENT)]


def test_an_api_error_path_names_its_group_or_region() -> None:
    assert field_of("configuration.regions[2].funding_rates.sme") == "region-2"
    assert field_of("regions.0.budget") == "region-0"
    assert field_of("stages.1.deadline") == "timeline"
    assert field_of("consortium_rules.min_partners") == "consortium"
    assert field_of("title") == "title"
    assert field_of("") == ""


def test_the_edit_form_gives_back_the_configuration_it_shows() -> None:
    from services.call_definition.examples import alpine_call

    call = alpine_call(documents=True)
    rebuilt, problems = configuration_of(form_values(call))
    assert problems == {}
    assert rebuilt == call
    broken = form_values(call) | {"consortium": "{not json"}
    assert "consortium" in configuration_of(broken)[1]


async def test_an_agency_creates_edits_publishes_amends_and_compares(embedded: httpx.AsyncClient) -> None:
    await sign_in(embedded, "agency", "")
    assert (await embedded.get("/secretariat/calls")).status_code == 200
    new = await embedded.get("/secretariat/calls/new?example=alpine")
    text = re.search(r'<textarea id="configuration"[^>]*>(.*?)</textarea>', new.text, re.S)
    assert text, new.text
    configuration = json.loads(text.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
    opens = datetime.now().astimezone() + timedelta(days=1)
    from services.call_definition.examples import redated

    configuration = redated(configuration, opens)
    configuration["code"] = "ALP-SEC"
    invalid = json.loads(json.dumps(configuration))
    invalid["time_zone"] = "Mars/Olympus"
    refused = await embedded.post(
        "/secretariat/calls", data={"csrf_token": csrf_of(new.text), "configuration": json.dumps(invalid)}
    )
    assert refused.status_code == 422 and 'id="configuration-error"' in refused.text and "Mars/Olympus" in refused.text
    created = await embedded.post(
        "/secretariat/calls",
        data={"csrf_token": csrf_of(new.text), "configuration": json.dumps(configuration)},
        follow_redirects=True,
    )
    assert created.status_code == 200, created.text
    assert "The draft is created." in created.text
    call_path = str(created.url.path)
    listing = await embedded.get("/secretariat/calls")
    assert "ALP-SEC" in listing.text

    # The edit form: a wrong region annex is shown at that region's editor; a fixed title is saved.
    form = dict(re.findall(r'<input (?:type="hidden" )?(?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', created.text))
    values = form_values(configuration) | {"csrf_token": csrf_of(created.text), "etag": form["etag"]}
    bad_region = json.loads(values["region-1"])
    bad_region["currency"] = "EURO"
    wrong = await embedded.post(call_path, data=values | {"region-1": json.dumps(bad_region)})
    assert wrong.status_code == 422
    assert 'id="region-1-error"' in wrong.text and 'href="#region-1"' in wrong.text, wrong.text
    saved = await embedded.post(call_path, data=values | {"title": "Alpine call, corrected"}, follow_redirects=True)
    assert "The draft is saved." in saved.text and "Alpine call, corrected" in saved.text

    published = await embedded.post(
        f"{call_path}/publish", data={"csrf_token": csrf_of(saved.text)}, follow_redirects=True
    )
    assert "The call is published." in published.text

    deadline = (datetime.fromisoformat(configuration["stages"][-1]["deadline"]) + timedelta(days=7)).isoformat()
    no_reason = await embedded.post(
        f"{call_path}/amendments",
        data={"csrf_token": csrf_of(published.text), "kind": "deadline_extension", "amend-deadline": deadline},
    )
    assert no_reason.status_code == 422 and 'id="amend-reason-error"' in no_reason.text
    amended = await embedded.post(
        f"{call_path}/amendments",
        data={
            "csrf_token": csrf_of(published.text),
            "kind": "deadline_extension",
            "amend-deadline": deadline,
            "amend-reason": "Server outage on the last day",
        },
        follow_redirects=True,
    )
    assert "The call is amended" in amended.text, amended.text
    history = await embedded.get(f"{call_path}/versions")
    assert history.status_code == 200
    assert "Server outage on the last day" in history.text
    assert re.search(r"<code>stages\[\d\]\.deadline</code>", history.text), history.text
    trail = await embedded.get(f"{call_path}/audit", params={"what": "amend"})
    assert trail.status_code == 200 and "Server outage on the last day" in trail.text, trail.text
    assert "call.created" not in trail.text


async def test_the_console_needs_an_agency(embedded: httpx.AsyncClient) -> None:
    await sign_in(embedded, "region", "AT-4")
    answer = await embedded.get("/secretariat/calls")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"


def test_the_audit_filter_keeps_who_and_what_newest_first() -> None:
    entries = [
        {"at": "2026-01-01T10:00:00Z", "actor": "agency", "action": "call.created"},
        {"at": "2026-01-02T10:00:00Z", "actor": "agency", "action": "call.published"},
        {"at": "2026-01-03T10:00:00Z", "actor": "system", "action": "call.opened"},
    ]
    assert [e["action"] for e in filtered_audit(entries)] == ["call.opened", "call.published", "call.created"]
    assert [e["action"] for e in filtered_audit(entries, who="AGENCY", what="publish")] == ["call.published"]
    assert filtered_audit(entries, who="nobody") == []


def test_the_eligibility_table_has_every_region_the_consortium_level_and_totals() -> None:
    progress = [
        {"region_code": "AT-4", "checks": 5, "decided": 3, "pending": 2, "overdue": 2},
        {"region_code": "consortium", "checks": 4, "decided": 3, "pending": 1, "overdue": 0},
        {"region_code": "XX-9", "checks": 1, "decided": 1, "pending": 0, "overdue": 0},
    ]
    regions = [{"code": "SI", "name": "Slovenia"}, {"code": "AT-4", "name": "Upper Austria"}]
    rows, totals = eligibility_rows(progress, regions)
    assert [(r["code"], r["name"], r["pending"], r["overdue"]) for r in rows] == [
        ("SI", "Slovenia", 0, 0),  # no checks yet: shown at zero
        ("AT-4", "Upper Austria", 2, 2),
        ("consortium", "", 1, 0),
        ("XX-9", "", 0, 0),  # counted by the service though not among the call's regions: kept, not hidden
    ]
    assert totals == {"checks": 10, "decided": 7, "pending": 3, "overdue": 2}


def _entries(service: str, moments: list[int]) -> list[dict[str, Any]]:
    """Entries newest first as a service gives them, `at` a minute of the day, `cursor` naming the entry."""
    return [{"at": f"2026-01-01T10:{m:02d}:00+00:00", "id": m, "cursor": f"{service}-{m}"} for m in moments]


def test_the_merged_trail_goes_on_after_the_last_entry_of_each_service_it_showed() -> None:
    intake = Fetched("proposal_intake", _entries("intake", [50, 40, 30]), next_cursor="intake-more")
    checks = Fetched("regional_eligibility", _entries("checks", [45, 20]), next_cursor=None)
    calls = Fetched("call_definition", _entries("calls", [55, 10]), offset=0)
    shown, following = merge([intake, checks, calls], {}, 4)
    assert [(e["service"], e["id"]) for e in shown] == [
        ("call_definition", 55),
        ("proposal_intake", 50),
        ("regional_eligibility", 45),
        ("proposal_intake", 40),
    ]
    assert following == {"proposal_intake": "intake-40", "regional_eligibility": "checks-45", "call_definition": 1}
    assert decode_state(encode_state(following)) == following
    # the last page: each service exhausted is False (not asked again), and there is no next page
    last, after = merge([Fetched("regional_eligibility", _entries("checks", [20]))], {"regional_eligibility": "x"}, 4)
    assert [e["id"] for e in last] == [20] and after is None
    assert decode_state("not base64 json!") == {}


def test_a_service_with_more_pages_keeps_its_place_when_none_of_its_entries_is_shown() -> None:
    newer = Fetched("joint_evaluation", _entries("evaluation", [59, 58]), next_cursor="evaluation-more")
    older = Fetched("project_monitoring", _entries("monitoring", [5]), next_cursor=None)
    shown, following = merge([newer, older], {"project_monitoring": None}, 2)
    assert [e["id"] for e in shown] == [59, 58]
    assert following == {"joint_evaluation": "evaluation-more", "project_monitoring": None}


@pytest.fixture
async def shifted(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, ShiftedClock]]:
    clock = ShiftedClock()
    async with embedded_client(tmp_path, clock=clock) as client:
        yield client, clock


async def _closed_call_with_a_consortium_check(client: httpx.AsyncClient, clock: ShiftedClock) -> tuple[str, str]:
    """A published call and a proposal with a self-funded partner from outside the call's regions who budgets in
    NOK, for which the call fixes no conversion rate: the consortium-level check of the budget shares needs a
    person (the agency). Its checks open: (call id, proposal id)."""
    body = live_call_body("ALP-ELIG", now=clock.now(), deadline=timedelta(seconds=3))
    created = await client.post("/call-definition/calls", json=body, headers=AGENCY)
    assert created.status_code == 201, created.text
    call_id = created.json()["id"]
    assert (await client.post(f"/call-definition/calls/{call_id}/publish", headers=AGENCY)).status_code == 200
    outsider = partner("Fjord AS", "NO-03", currency="NOK", country="NO", requested="0.00")
    partners = [*proposal_body()["partners"], outsider]
    proposal_id = (await submit_when_known(client, call_id, proposal_body(*partners)))["proposal_id"]
    await until(client, f"/regional-eligibility/proposals/{proposal_id}", lambda b: b["status"] == "checking")
    return call_id, proposal_id


async def test_the_agency_sees_the_checks_per_region_and_decides_a_consortium_level_one(
    shifted: tuple[httpx.AsyncClient, ShiftedClock],
) -> None:
    client, clock = shifted
    call_id, _ = await _closed_call_with_a_consortium_check(client, clock)
    await sign_in(client, "agency", "")
    console = await client.get(f"/secretariat/calls/{call_id}")
    assert f'href="/secretariat/calls/{call_id}/eligibility"' in console.text
    page = await client.get(f"/secretariat/calls/{call_id}/eligibility")
    assert page.status_code == 200, page.text
    assert "Checks per region" in page.text and "AT-4 Upper Austria" in page.text and "Total" in page.text
    assert "Consortium level (the agency decides)" in page.text and "overdue" not in page.text
    waiting = re.findall(r'href="/secretariat/checks/(\d+)"', page.text)
    assert waiting, page.text
    check = await client.get(f"/secretariat/checks/{waiting[0]}")
    assert check.status_code == 200 and "no conversion rate for NOK" in check.text, check.text
    no_reason = await client.post(
        f"/secretariat/checks/{waiting[0]}/decision",
        data={"csrf_token": csrf_of(check.text), "action": "close", "verdict": "pass", "reason": ""},
    )
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    decided = await client.post(
        f"/secretariat/checks/{waiting[0]}/decision",
        data={
            "csrf_token": csrf_of(check.text),
            "action": "close",
            "verdict": "pass",
            "reason": "shares checked at 1.05",
        },
        follow_redirects=True,
    )
    assert decided.status_code == 200 and "The check is decided." in decided.text, decided.text
    assert f'href="/secretariat/checks/{waiting[0]}"' not in decided.text  # no longer waiting
    history = await client.get(f"/secretariat/checks/{waiting[0]}")
    assert "shares checked at 1.05" in history.text.split("Decision history")[1]
    assert (await client.get("/secretariat/checks/999999")).status_code == 404

    # Past the regions' check deadline, what is still open is overdue, said in words.
    clock.advance(timedelta(days=61))
    late = await client.get(f"/secretariat/calls/{call_id}/eligibility")
    overdue = re.findall(r'<tr class="overdue">\s*<th scope="row">([^<]+)</th>', late.text)
    assert "AT-4 Upper Austria" in overdue and "overdue</strong>" in late.text, late.text
    german = await client.get(f"/secretariat/calls/{call_id}/eligibility", headers={"Accept-Language": "de"})
    assert "Prüfungen je Region" in german.text

    await sign_in(client, "region", "AT-4")
    refused = await client.get(f"/secretariat/calls/{call_id}/eligibility", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/sign-in"


async def test_the_audit_trail_merges_every_service_filters_and_pages(
    shifted: tuple[httpx.AsyncClient, ShiftedClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, clock = shifted
    call_id, _ = await _closed_call_with_a_consortium_check(client, clock)
    waiting = (await client.get("/regional-eligibility/checks", params={"call_id": call_id}, headers=AGENCY)).json()
    check = next(c for c in waiting["items"] if c["verdict"] == "needs_human")
    decision = {"action": "close", "verdict": "pass", "reason": "shares checked at 1.05"}
    assert (
        await client.post(f"/regional-eligibility/checks/{check['id']}/decision", json=decision, headers=AGENCY)
    ).status_code == 200
    await sign_in(client, "agency", "")
    trail = await client.get(f"/secretariat/calls/{call_id}/audit")
    assert trail.status_code == 200, trail.text
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]+)</td><td>[^<]*</td><td><code>([^<]+)</code>", trail.text)
    assert ("Eligibility", "check.close") in rows and ("Proposals", "proposal.submitted") in rows, rows
    assert ("Call definition", "call.created") in rows and ("Call definition", "call.published") in rows
    assert rows.index(("Eligibility", "check.close")) < rows.index(("Proposals", "proposal.submitted"))  # newest first
    only = await client.get(f"/secretariat/calls/{call_id}/audit", params={"service": "regional_eligibility"})
    assert {
        s for s, _ in re.findall(r"<tr><td>[^<]*</td><td>([^<]+)</td><td>[^<]*</td><td><code>([^<]+)</code>", only.text)
    } == {"Eligibility"}
    who = await client.get(f"/secretariat/calls/{call_id}/audit", params={"who": "consortium"})
    assert "proposal.submitted" in who.text and "check.close" not in who.text and "call.created" not in who.text
    what = await client.get(f"/secretariat/calls/{call_id}/audit", params={"what": "check."})
    assert "check.close" in what.text and "proposal.submitted" not in what.text

    # Two entries a page: walking every page gives the same entries, in the same order, once each.
    monkeypatch.setattr(secretariat, "AUDIT_PAGE", 2)
    walked: list[tuple[str, str]] = []
    path = f"/secretariat/calls/{call_id}/audit"
    while True:
        page = await client.get(path)
        found = re.findall(r"<tr><td>[^<]*</td><td>([^<]+)</td><td>[^<]*</td><td><code>([^<]+)</code>", page.text)
        assert len(found) <= 2
        walked += found
        following = re.search(r'<a href="(\?[^"]*cursor=[^"]+)">Next page', page.text)
        if not following:
            break
        path = f"/secretariat/calls/{call_id}/audit" + following.group(1).replace("&amp;", "&")
    assert walked == rows


def test_the_dashboard_chart_draws_each_kind_on_one_scale_and_marks_now() -> None:
    start = datetime(2027, 3, 1, tzinfo=UTC)
    rows = [
        {
            "start": (start + timedelta(hours=i)).isoformat(),
            "end": (start + timedelta(hours=i + 1)).isoformat(),
            "drafts": i,
            "first_submissions": 2 * i,
            "resubmissions": 0,
            "refusals": 1,
        }
        for i in range(4)
    ]
    chart = timeline_chart(rows, start + timedelta(hours=2, minutes=30), lambda row: row["start"][11:16])
    assert nice_ceiling(6) == 10 and nice_ceiling(0) == 1 and nice_ceiling(101) == 200
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.kind == "first_submissions" and tallest.height < chart.plot_height  # 6 of a scale of 10
    assert not [bar for bar in chart.bars if bar.kind == "resubmissions"]  # nothing drawn for zero
    assert [tick.label for tick in chart.y_ticks] == ["0", "5", "10"]
    assert (
        chart.now_x is not None
        and chart.left + chart.plot_width * 0.6 < chart.now_x < chart.left + chart.plot_width * 0.7
    )
    assert [tick.label for tick in chart.x_ticks][:2] == ["00:00", "01:00"]
    assert tick_label(rows[1], "Europe/Vienna", "de", daily=True) == "1 März"
    assert tick_label(rows[1], "Europe/Vienna", "en", daily=False) == "1 Mar 02:00"
    assert shown_rows([*rows, {"start": rows[-1]["end"], "end": None}], start + timedelta(minutes=90)) == rows[:2]


async def test_the_deadline_dashboard_counts_the_call_and_stops_updating_once_it_closes(
    embedded: httpx.AsyncClient,
) -> None:
    body = live_call_body("ALP-DASH", deadline=timedelta(seconds=5))
    call = (await embedded.post("/call-definition/calls", json=body, headers=AGENCY)).json()
    assert (await embedded.post(f"/call-definition/calls/{call['id']}/publish", headers=AGENCY)).status_code == 200
    intake = f"/proposal-intake/calls/{call['id']}/proposals"
    good = (await embedded.post(intake, json=proposal_body(), headers=CONSORTIUM)).json()
    assert (await embedded.post(f"/proposal-intake/proposals/{good['id']}/submit", headers=CONSORTIUM)).is_success
    lone = proposal_body(partner("Alpha GmbH", "AT-4", role="coordinator"), acronym="LONE")
    alone = (await embedded.post(intake, json=lone, headers=CONSORTIUM)).json()
    assert (await embedded.get(f"/proposal-intake/proposals/{alone['id']}/precheck", headers=CONSORTIUM)).is_success
    assert (
        await embedded.post(f"/proposal-intake/proposals/{alone['id']}/submit", headers=CONSORTIUM)
    ).status_code == 422

    await sign_in(embedded, "agency", "")
    console = await embedded.get(f"/secretariat/calls/{call['id']}")
    assert f'href="/secretariat/calls/{call["id"]}/dashboard"' in console.text
    page = await embedded.get(f"/secretariat/calls/{call['id']}/dashboard")
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Deadline dashboard of ALP-DASH" in text and 'hx-trigger="every 10s"' in page.text
    assert "consortium.min_partners" in text and "AT-4" in text and "CH-FR" in text
    assert '<svg class="chart timeline" role="img"' in page.text and "Per interval, up to now" in text
    stopped = await embedded.get(f"/secretariat/calls/{call['id']}/dashboard?live=off")
    assert "hx-get" not in stopped.text and "Update by itself" in text_of(stopped.text)
    fragment = await embedded.get(f"/secretariat/calls/{call['id']}/dashboard/live")
    assert fragment.status_code == 200 and "<html" not in fragment.text and "Over time" in fragment.text
    german = await embedded.get(f"/secretariat/calls/{call['id']}/dashboard", headers={"Accept-Language": "de"})
    assert "Fristen-Dashboard" in german.text

    await asyncio.sleep(
        max(0.0, (datetime.fromisoformat(body["stages"][-1]["deadline"]) - datetime.now(UTC)).total_seconds()) + 0.5
    )
    late = await embedded.post(f"/proposal-intake/proposals/{alone['id']}/submit", headers=CONSORTIUM)
    assert late.status_code == 409
    closed = await embedded.get(f"/secretariat/calls/{call['id']}/dashboard/live")
    assert closed.status_code == 286  # htmx stops polling
    assert "Submissions refused: 2, of 1 proposals; at or after the deadline: 1." in text_of(closed.text)
    after = await embedded.get(f"/secretariat/calls/{call['id']}/dashboard")
    assert "hx-get" not in after.text and "Stop updating by itself" not in after.text


async def test_the_dashboard_is_the_agency_s(embedded: httpx.AsyncClient) -> None:
    await sign_in(embedded, "region", "AT-4")
    answer = await embedded.get("/secretariat/calls/00000000-0000-0000-0000-000000000000/dashboard")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    fragment = await embedded.get("/secretariat/calls/00000000-0000-0000-0000-000000000000/dashboard/live")
    assert fragment.status_code == 286 and fragment.headers["HX-Redirect"] == "/sign-in"  # the whole page goes
    await sign_in(embedded, "agency", "")
    unknown = await embedded.get("/secretariat/calls/00000000-0000-0000-0000-000000000000/dashboard")
    assert unknown.status_code == 404 and "This call has no dashboard." in unknown.text
