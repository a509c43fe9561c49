"""The secretariat's call console on the embedded default: an agency creates the Alpine call from the example,
sees an API validation error at its group, edits and publishes it, amends the deadline with a reason and reads
what changed between the versions; and the version diff on its own."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import httpx

from services.portal.call_diff import ABSENT, Change, diff
from services.portal.pages.secretariat import configuration_of, field_of, filtered_audit, form_values
from tests.portal.test_portal_pages import csrf_of, embedded, sign_in

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
