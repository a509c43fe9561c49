"""The results as an XLSX workbook (openpyxl): the ranking, one sheet per region, the evaluators' comments per
criterion. Text is always stored as text, so an acronym or comment starting with "=" is never a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..use_cases.results_workbook import ResultsWorkbook

Cell = str | int | Decimal | None


def results_xlsx(data: ResultsWorkbook) -> bytes:
    state = data.state
    decided = state.funding.decided
    criteria = state.config.evaluation.criteria
    keys = [criterion.key for criterion in criteria]
    acronym = {str(line.proposal_id): line.acronym for line in state.lines}
    book = Workbook()
    ranking = book.active
    assert ranking is not None
    ranking.title = "Ranking"
    regions = [(r.region_code, r.budget.currency) for r in decided.regions]
    _row(
        ranking,
        ["Rank", "Acronym", "Proposal id", "Status", *(c.name for c in criteria), "Weighted total"]
        + [f"{code} grant ({currency})" for code, currency in regions],
    )
    for line in state.lines:
        grants = {grant.region_code: Decimal(grant.amount) for grant in line.grants}
        _row(
            ranking,
            [line.rank, line.acronym, str(line.proposal_id), line.status]
            + [line.scores.get(key) for key in keys]
            + [line.weighted_total]
            + [grants.get(code) for code, _ in regions],
        )

    requests = {str(d.proposal_id): {r.region_code: Decimal(r.amount) for r in d.requested} for d in decided.proposals}
    for region in decided.regions:
        sheet = book.create_sheet(_sheet_title(region.region_code))
        currency = region.budget.currency
        _row(sheet, ["Rank", "Acronym", "Proposal id", "Status", f"Requested ({currency})", f"Grant ({currency})"])
        for line in state.lines:
            requested = requests.get(str(line.proposal_id), {}).get(region.region_code)
            grant = next((Decimal(g.amount) for g in line.grants if g.region_code == region.region_code), None)
            if requested is None and grant is None:
                continue
            _row(sheet, [line.rank, line.acronym, str(line.proposal_id), line.status, requested, grant])
        _row(sheet, [])
        for label, money in (
            ("Budget", region.budget),
            ("Allocated", region.allocated),
            ("Remaining", region.remaining),
            ("Funding gap", region.funding_gap),
        ):
            _row(sheet, [label, Decimal(money.amount), money.currency])

    comments = book.create_sheet("Comments")
    names = {criterion.key: criterion.name for criterion in criteria}
    _row(comments, ["Acronym", "Proposal id", "Evaluator", "Criterion", "Score", "Comment"])
    for comment in data.comments:
        _row(
            comments,
            [
                acronym.get(comment.proposal_id, ""),
                comment.proposal_id,
                comment.evaluator,
                names.get(comment.criterion_key, comment.criterion_key),
                comment.score,
                comment.justification,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(sheet: Worksheet, values: Sequence[Cell]) -> None:
    sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


def _sheet_title(code: str) -> str:
    """A sheet's name: at most 31 characters, none of []:*?/\\ (region codes are letters, digits and -)."""
    return "".join(ch for ch in code if ch not in "[]:*?/\\")[:31] or "Region"
