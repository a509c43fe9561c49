"""The secretariat's evaluation, selection meeting and results pages on the embedded default: evaluators one by
one and from a CSV file (each row's problems at its line and column), the assignment and the progress; the
ranking with the pot's result, a what-if top-up that funds the reserve proposal, the decision, the regions'
confirmations, publishing, and the downloads passed on from the API."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from services.portal.selection_data import (
    budget_chart,
    changes,
    loads,
    parse_evaluators_csv,
    top_ups_of,
)
from tests.helpers import bearer, live_call_body
from tests.portal.test_portal_pages import (
    AGENCY,
    csrf_of,
    eligible_with_experts,
    embedded,
    sign_in,
    submit_assessments,
)

__all__ = ["embedded"]


async def meeting_ready(
    client: httpx.AsyncClient, code: str, at4_budget: str = "150000.00"
) -> tuple[str, list[str], list[str]]:
    """A call of two eligible proposals (ALPHA, BETA; 100,000 EUR each from AT-4) with three experts registered,
    Upper Austria's budget cut so that only one can be funded: (call id, proposal ids, experts)."""
    body = live_call_body(code, deadline=timedelta(seconds=10))
    next(r for r in body["regions"] if r["code"] == "AT-4")["budget"] = at4_budget
    return await eligible_with_experts(client, body, ("ALPHA", "BETA"), assign=False)


# --- the pure parts ---------------------------------------------------------------------------------


def test_the_csv_becomes_registration_bodies_and_its_problems_name_line_and_column() -> None:
    text = (
        "\ufeffname,email,organisation,country,expertise,max_load\n"
        "Ada Rossi,ada@example.org,Politecnico,IT,robotics; circular economy,4\n"
        "\n"
        "Bo Novak,bo@example.org,IJS,SI,,many\n"
    )
    parsed = parse_evaluators_csv(text)
    assert parsed.rows == [
        (
            2,
            {
                "name": "Ada Rossi",
                "email": "ada@example.org",
                "organisation": "Politecnico",
                "country": "IT",
                "expertise": ["robotics", "circular economy"],
                "max_load": 4,
            },
        )
    ]
    assert [(p.line, p.column) for p in parsed.problems] == [(4, "max_load")]
    no_column = parse_evaluators_csv("name,email,country,max_load\nA,a@x.org,IT,1\n")
    assert [(p.line, p.column) for p in no_column.problems] == [(1, "organisation")] and not no_column.rows
    assert [p.column for p in parse_evaluators_csv("name,email,organisation,country,max_load\n").problems] == [""]


def test_loads_changes_and_top_ups() -> None:
    experts = [
        {"id": "a", "name": "A", "country": "IT", "max_load": 3},
        {"id": "b", "name": "B", "country": "FR", "max_load": 1},
    ]
    counted = loads(experts, [{"evaluator_ids": ["a", "b"]}, {"evaluator_ids": ["a"]}])
    assert [(row.name, row.assigned, row.max_load) for row in counted] == [("A", 2, 3), ("B", 1, 1)]
    decisions = [
        {"proposal_id": str(n), "acronym": f"P{n}", "rank": n, "status": "funded" if n < 8 else "reserve"}
        for n in range(1, 30)
    ]
    what_if = [dict(d, status="funded") if d["rank"] == 8 else d for d in decisions]
    assert [(c.rank, c.now, c.what_if) for c in changes(decisions, what_if)] == [(8, "reserve", "funded")]
    assert top_ups_of({"top_up_AT-4": "50 000,50", "top_up_SI": "", "top_up_CH-FR": "-1"}, ["AT-4", "SI", "CH-FR"]) == (
        {"AT-4": "50000.50"},
        {"top_up_CH-FR": "A top-up cannot be negative."},
    )
    assert "top_up_SI" in top_ups_of({"top_up_SI": "lots"}, ["SI"])[1]


def test_the_chart_scales_each_region_to_its_largest_budget() -> None:
    def region(code: str, budget: str, allocated: str) -> dict[str, Any]:
        money = {"amount": budget, "currency": "EUR"}
        used = {"amount": allocated, "currency": "EUR"}
        return {
            "region_code": code,
            "budget": money,
            "allocated": used,
            "budget_reporting": money,
            "allocated_reporting": used,
        }

    now = [region("AT-4", "150000", "100000")]
    later = [region("AT-4", "200000", "200000")]
    chart = budget_chart(
        [("now", "now", now), ("what if", "what-if", later)], "", lambda m: f"{m['amount']} {m['currency']}"
    )
    assert [(b.budget_width, b.used_width) for b in chart.bars] == [(270, 180), (360, 360)]
    assert chart.bars[0].text == "100000 EUR / 150000 EUR"
    two = [("now", "now", [region("AT-4", "150000", "100000"), region("SI", "300000", "0")])]
    assert [b.budget_width for b in budget_chart(two, "", str).bars] == [360, 360]  # each by its own budget
    assert [b.budget_width for b in budget_chart(two, "_reporting", str).bars] == [180, 360]  # on one scale


# --- the pages ---------------------------------------------------------------------------------------


async def every_region_confirms(client: httpx.AsyncClient, call_id: str) -> None:
    """Each region that funds partners confirms the call's decided funding (its current version)."""
    funding = (await client.get(f"/joint-evaluation/calls/{call_id}/funding", headers=AGENCY)).json()
    for region in [c["region_code"] for c in funding["confirmations"] if c["funds_partners"]]:
        answer = await client.post(
            f"/joint-evaluation/calls/{call_id}/funding/regions/{region}/confirmation",
            json={"decision": "confirm", "funding_version": funding["funding_version"]},
            headers=bearer(f"region:{region}"),
        )
        assert answer.is_success, answer.text


async def test_the_secretariat_registers_imports_assigns_and_follows_progress(embedded: httpx.AsyncClient) -> None:
    call_id, ids, _experts = await meeting_ready(embedded, "ALP-SEL-EVAL")
    await sign_in(embedded, "agency", "")
    home = await embedded.get("/selection")
    assert f"/selection/calls/{call_id}/evaluation" in home.text
    page = await embedded.get(f"/selection/calls/{call_id}/evaluation")
    assert page.status_code == 200 and "Expert 2" in page.text and "The assignment has not run yet." in page.text
    token = csrf_of(page.text)

    bad = await embedded.post(
        f"/selection/calls/{call_id}/evaluators",
        data={
            "csrf_token": token,
            "name": "Eve",
            "email": "not-an-address",
            "organisation": "X",
            "country": "IT",
            "max_load": "2",
        },
    )
    assert bad.status_code == 422
    assert 'id="evaluator-email-error"' in bad.text and 'href="#evaluator-email"' in bad.text
    assert 'value="not-an-address"' in bad.text  # what was typed is kept

    csv_text = (
        "name,email,organisation,country,region_code,expertise,max_load\n"
        "Ada Rossi,ada@example.org,Politecnico,IT,IT-25,robotics,4\n"
        "Bo Novak,bo@example.org,IJS,Slovenia,,,2\n"
    )
    files = {"file": ("experts.csv", io.BytesIO(csv_text.encode()), "text/csv")}
    imported = await embedded.post(
        f"/selection/calls/{call_id}/evaluators/import", data={"csrf_token": token}, files=files
    )
    assert imported.status_code == 422, imported.text
    problems = imported.text.split('id="row-problems"')[1].split("</table>")[0]
    assert "<td>3</td><td>country</td>" in problems  # the API's error, at the file's line and column
    assert "1 evaluator was registered" in problems
    assert "Ada Rossi" in imported.text  # registered, now in the list

    assigned = await embedded.post(
        f"/selection/calls/{call_id}/assignment", data={"csrf_token": token}, follow_redirects=True
    )
    assert assigned.status_code == 200 and "The assignment has run." in assigned.text
    load_table = assigned.text.split("Load per evaluator")[1].split("</table>")[0]
    assert sum(int(n) for n in re.findall(r"<td>(\d+)</td><td>\d+</td></tr>", load_table)) == 6  # 2 proposals x 3
    per_proposal = assigned.text.split("Evaluators per proposal")[1].split("</table>")[0]
    assert "ALPHA" in per_proposal and "BETA" in per_proposal and "yes" in per_proposal

    assignment = (await embedded.get(f"/joint-evaluation/calls/{call_id}/assignment", headers=AGENCY)).json()
    alpha_experts = next(i for i in assignment["items"] if i["proposal_id"] == ids[0])["evaluator_ids"]
    await embedded.post(
        f"/joint-evaluation/proposals/{ids[1]}/conflicts",
        json={"reason": "I co-authored with the coordinator"},
        headers=bearer(
            f"evaluator:{next(i for i in assignment['items'] if i['proposal_id'] == ids[1])['evaluator_ids'][0]}"
        ),
    )
    await submit_assessments(embedded, ids[0], alpha_experts, ["4", "4", "4"])
    progress_page = await embedded.get(f"/selection/calls/{call_id}/evaluation")
    progress = progress_page.text.split('id="progress"')[1]
    alpha_row = progress.split("ALPHA")[1].split("</tr>")[0]
    assert (
        "<td>3 / 3</td>" in alpha_row
        and f'href="/rapporteur/proposals/{ids[0]}"' in alpha_row
        and "to finalise" in alpha_row
    )
    assert "I co-authored with the coordinator" in progress_page.text.split('id="conflicts"')[1]


async def evaluated(client: httpx.AsyncClient, code: str) -> str:
    """A call whose two proposals have a final consensus (ALPHA above BETA), the ranking not fixed yet."""
    call_id, ids, experts = await meeting_ready(client, code)
    await scored_and_agreed(client, call_id, ids, experts)
    return call_id


async def scored_and_agreed(client: httpx.AsyncClient, call_id: str, ids: list[str], experts: list[str]) -> None:
    """The two proposals `ids` assigned to the experts, scored (the first 4.5, the second 4 everywhere but as
    submit_assessments says) and their consensus finalised."""
    await client.post(f"/joint-evaluation/calls/{call_id}/assignment", headers=AGENCY)
    for proposal_id, score in zip(ids, ["4.5", "4"], strict=True):
        await submit_assessments(client, proposal_id, experts, [score] * 3)
        assert (
            await client.post(f"/joint-evaluation/proposals/{proposal_id}/consensus/finalise", headers=AGENCY)
        ).is_success


async def test_the_meeting_ranks_simulates_a_top_up_decides_and_publishes(embedded: httpx.AsyncClient) -> None:
    call_id = await evaluated(embedded, "ALP-SEL-MEET")
    await sign_in(embedded, "agency", "")
    before = await embedded.get(f"/selection/calls/{call_id}/meeting")
    assert before.status_code == 200 and "Fix the ranking" in before.text
    fixed = await embedded.post(
        f"/selection/calls/{call_id}/ranking/complete", data={"csrf_token": csrf_of(before.text)}, follow_redirects=True
    )
    assert "The ranking is fixed." in fixed.text
    assert "funding as it would be decided now" in fixed.text
    line = fixed.text.split("<caption>Around the funding line")[1].split("</table>")[0]
    assert line.index("ALPHA") < line.index("BETA") and 'class="funding-line"' in line
    beta_row = line.split("BETA")[1].split("</tr>")[0]
    assert "reserve" in beta_row and "AT-4 €50,000.00" in beta_row  # what Upper Austria lacks
    assert "tie-break 1" in fixed.text and "<svg" in fixed.text and "style=" not in fixed.text

    later = await embedded.get(f"/selection/calls/{call_id}/meeting?page=1")
    assert later.status_code == 200 and "are on the first page" in later.text and "Decide the funding" not in later.text

    token = csrf_of(fixed.text)
    wrong = await embedded.post(
        f"/selection/calls/{call_id}/meeting/what-if", data={"csrf_token": token, "top_up_AT-4": "lots"}
    )
    assert wrong.status_code == 422 and 'id="top_up_AT-4-error"' in wrong.text and 'value="lots"' in wrong.text
    what_if = await embedded.post(
        f"/selection/calls/{call_id}/meeting/what-if", data={"csrf_token": token, "top_up_AT-4": "50000"}
    )
    assert what_if.status_code == 200
    result = what_if.text.split('id="what-if-result"')[1]
    assert "1 proposal changes status." in result
    newly = result.split('id="funded-what-if"')[1].split("</ol>")[0]
    assert "BETA" in newly and "newly funded" in newly
    assert "BETA" not in result.split('id="funded-now"')[1].split("</ol>")[0]
    assert 'class="used what-if"' in what_if.text  # the what-if's bars beside the current ones

    unconfirmed = await embedded.post(f"/selection/calls/{call_id}/funding", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and 'href="#confirm_decide"' in unconfirmed.text
    decided = await embedded.post(
        f"/selection/calls/{call_id}/funding",
        data={"csrf_token": token, "confirm_decide": "yes"},
        follow_redirects=True,
    )
    assert "The funding is decided." in decided.text and "decided funding (version 1)" in decided.text
    confirmations = decided.text.split('id="confirmations"')[1].split("</table>")[0]
    assert "waiting" in confirmations

    await every_region_confirms(embedded, call_id)
    after = await embedded.get(f"/selection/calls/{call_id}/meeting")
    assert (
        "Every region has confirmed" in after.text
        and "waiting" not in after.text.split('id="confirmations"')[1].split("</table>")[0]
    )

    results = await embedded.get(f"/selection/calls/{call_id}/results")
    assert "Every region has confirmed; the results are not published yet." in results.text
    refused = await embedded.post(f"/selection/calls/{call_id}/results/publish", data={"csrf_token": token})
    assert refused.status_code == 422 and 'id="confirm_publish-error"' in refused.text
    published = await embedded.post(
        f"/selection/calls/{call_id}/results/publish",
        data={"csrf_token": token, "confirm_publish": "yes"},
        follow_redirects=True,
    )
    assert "The results are published." in published.text and "Published on" in published.text
    csv_file = await embedded.get(f"/selection/calls/{call_id}/download/csv")
    assert (
        csv_file.status_code == 200
        and "ALPHA" in csv_file.text
        and "attachment" in csv_file.headers["content-disposition"]
    )
    json_file = await embedded.get(f"/selection/calls/{call_id}/download/json")
    assert json_file.json()["published_at"]
    workbook = await embedded.get(f"/selection/calls/{call_id}/download/xlsx")
    assert workbook.status_code == 200 and workbook.headers["content-disposition"].endswith('.xlsx"')
    comments = list(load_workbook(io.BytesIO(workbook.content))["Comments"].iter_rows(values_only=True))
    assert any(row[0] == "BETA" and row[5] == "Reasoned view 4 on excellence." for row in comments)
    assert (await embedded.get(f"/selection/calls/{call_id}/download/nothing")).status_code == 404


async def test_the_pages_need_an_agency_and_are_translated(embedded: httpx.AsyncClient) -> None:
    assert (await embedded.get("/selection", follow_redirects=False)).status_code == 303
    await sign_in(embedded, "region", "AT-4")
    assert (await embedded.get("/selection", follow_redirects=False)).status_code == 303
    await sign_in(embedded, "agency", "")
    german = await embedded.get("/selection", headers={"Accept-Language": "de"})
    assert german.status_code == 200 and "Begutachtung und Auswahl" in german.text
