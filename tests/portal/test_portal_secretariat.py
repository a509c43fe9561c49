"""The secretariat's call console on the embedded default: an agency creates the Alpine call from the example,
sees an API validation error at its group, edits and publishes it, amends the deadline with a reason and reads
what changed between the versions; and the version diff on its own."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import httpx

from services.portal.call_diff import ABSENT, Change, diff
from services.portal.dashboard_chart import nice_ceiling, timeline_chart
from services.portal.pages.dashboard import shown_rows, tick_label
from services.portal.pages.secretariat import configuration_of, field_of, filtered_audit, form_values
from tests.helpers import bearer, live_call_body, partner, proposal_body
from tests.portal.test_portal_applicant import text_of
from tests.portal.test_portal_pages import AGENCY, csrf_of, embedded, sign_in

CONSORTIUM = bearer("consortium:acme")

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
