"""joint_evaluation's results workbook (GET /calls/{id}/results.xlsx, agency): opened with openpyxl, it holds the
ranking, one sheet per region with its partners' requests and grants, and each evaluator's comment per criterion;
and the fixed ranking read a page at a time."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from services.joint_evaluation.api.workbook import _row
from shared.clock import MovableClock
from tests.api.test_joint_evaluation_api import AGENCY
from tests.api.test_joint_evaluation_funding import AUSTRIA, decide, evaluated
from tests.conftest import ServiceClient

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_workbook_holds_the_ranking_a_sheet_per_region_and_the_comments(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    s = await evaluated(service_client, clock)
    assert (await s.client.get(f"/calls/{s.call_id}/results.xlsx", headers=AGENCY)).status_code == 404  # undecided
    await decide(s)
    assert (await s.client.get(f"/calls/{s.call_id}/results.xlsx", headers=AUSTRIA)).status_code == 403
    answer = await s.client.get(f"/calls/{s.call_id}/results.xlsx", headers=AGENCY)
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[0] == "Ranking" and book.sheetnames[-1] == "Comments"
    assert {"AT-4", "CH-FR"} <= set(book.sheetnames)

    ranking = [list(row) for row in book["Ranking"].iter_rows(values_only=True)]
    assert ranking[0][:5] == ["Rank", "Acronym", "Proposal id", "Status", "Excellence"]
    assert [row[1] for row in ranking[1:]] == ["ALPHA", "BETA", "GAMMA", "DELTA", "EPSILON"]
    assert ranking[1][0] == 1 and ranking[1][3] == "funded" and ranking[1][4] == 4.5

    fribourg = [list(row) for row in book["CH-FR"].iter_rows(values_only=True)]
    assert fribourg[0] == ["Rank", "Acronym", "Proposal id", "Status", "Requested (CHF)", "Grant (CHF)"]
    alpha, beta = fribourg[1], fribourg[2]
    assert alpha[1] == "ALPHA" and alpha[4:] == [120000.0, 120000.0]
    assert beta[1] == "BETA" and beta[3] == "reserve" and beta[4:] == [120000.0, None]  # asked, not granted
    assert ["Funding gap", 40000, "CHF"] in [row[:3] for row in fribourg]

    comments = [list(row) for row in book["Comments"].iter_rows(values_only=True)]
    assert comments[0] == ["Acronym", "Proposal id", "Evaluator", "Criterion", "Score", "Comment"]
    alpha_impact = [row for row in comments if row[0] == "ALPHA" and row[3] == "Impact"]
    assert len(alpha_impact) == 2  # both experts, each with their own comment
    assert all(
        row[2].startswith("Expert of") and row[4] == 4.5 and row[5] == "why impact deserves it" for row in alpha_impact
    )


def test_text_that_looks_like_a_formula_stays_text() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _row(sheet, ['=HYPERLINK("http://evil.example","x")', 3])
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue()))["Sheet"]["A1"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil.example","x")'


async def test_a_fixed_ranking_pages_by_position_without_the_withdrawn(
    service_client: ServiceClient, clock: MovableClock
) -> None:
    """The ranking page reads only its own lines of a fixed ranking (for the portal's meeting page at 5,000)."""
    s = await evaluated(service_client, clock)
    whole = (await s.client.get(f"/calls/{s.call_id}/ranking", headers=AGENCY)).json()
    first = (await s.client.get(f"/calls/{s.call_id}/ranking?limit=2", headers=AGENCY)).json()
    assert first["completed_at"] and [i["acronym"] for i in first["items"]] == ["ALPHA", "BETA"]
    second = (
        await s.client.get(f"/calls/{s.call_id}/ranking?limit=2&cursor={first['next_cursor']}", headers=AGENCY)
    ).json()
    last = (
        await s.client.get(f"/calls/{s.call_id}/ranking?limit=2&cursor={second['next_cursor']}", headers=AGENCY)
    ).json()
    assert first["items"] + second["items"] + last["items"] == whole["items"] and last["next_cursor"] is None
